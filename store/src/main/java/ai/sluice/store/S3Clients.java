package ai.sluice.store;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3 client per endpoint and region (a mirror set may span several storage services).
 * Path-style addressing (MinIO, Ceph, s3proxy and plain IPs need it), credentials from the SDK's
 * default chain (environment, system properties, profiles, container/instance roles).
 * The SDK retries a request once (a pooled connection the server closed meanwhile); beyond that the
 * transfer retries and fails over between mirrors itself, and must notice a dead endpoint quickly.
 */
final class S3Clients implements AutoCloseable {
    private record Key(URI endpoint, String region) {
    }

    private final int maxConnections;
    private final Map<Key, S3Client> clients = new ConcurrentHashMap<>();

    S3Clients(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    S3Client client(Source.S3 source) {
        return clients.computeIfAbsent(new Key(source.endpoint(), source.region()), this::build);
    }

    private S3Client build(Key key) {
        var b = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(maxConnections + 2)
                        .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(30)))
                .forcePathStyle(true)
                .region(Region.of(Objects.requireNonNullElseGet(key.region(), S3Clients::defaultRegion)))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(2).build()).build());
        if (key.endpoint() != null) {
            b.endpointOverride(key.endpoint());
        }
        return b.build();
    }

    /**
     * aws.region, AWS_REGION, AWS_DEFAULT_REGION, else us-east-1 (S3-compatible servers rarely care).
     * Not the SDK's full region chain: off EC2 its instance-metadata step stalls a pull for seconds.
     */
    private static String defaultRegion() {
        for (String v : new String[] {System.getProperty("aws.region"), System.getenv("AWS_REGION"), System.getenv("AWS_DEFAULT_REGION")}) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "us-east-1";
    }

    @Override
    public void close() {
        clients.values().forEach(S3Client::close);
        clients.clear();
    }
}
