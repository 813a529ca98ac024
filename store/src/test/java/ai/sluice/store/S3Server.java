package ai.sluice.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.S3Exceptions;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A real S3 server on loopback (gaul's s3proxy over an in-memory file system), with signature
 * checking on, and a count of the object bytes it was asked for (to tell one download from two).
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "sluice-test";
    public static final String SECRET_KEY = "sluice-test-secret";

    static {
        // the store reads credentials through the SDK's default chain; system properties come first there
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        System.setProperty("aws.region", "us-east-1");
    }

    private final S3Proxy proxy;
    private final URI endpoint;
    private final S3Client admin;
    public final AtomicLong bytesAsked = new AtomicLong();
    public final AtomicLong gets = new AtomicLong();
    /** Milliseconds each GET waits before answering: slows a transfer down enough to act in its middle. */
    volatile long getDelayMs;
    /** Parts of multipart uploads stored, and the part number to answer HTTP 500 for (0: none), to fail an upload midway. */
    public final AtomicLong partsUploaded = new AtomicLong();
    volatile int failPartNumber;

    private S3Server(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.admin = S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    public static S3Server start() throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.identity", ACCESS_KEY);
        props.setProperty("jclouds.credential", SECRET_KEY);
        BlobStore memory = BlobStores.create("transient-nio2", props);
        S3Server[] self = new S3Server[1];
        BlobStore counting = new ForwardingBlobStore(memory) {
            @Override
            public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
                if (!request.key().endsWith(Manifest.SUFFIX)) {
                    self[0].gets.incrementAndGet();
                    self[0].bytesAsked.addAndGet(rangeLength(request.range()));
                    long delay = self[0].getDelayMs;
                    if (delay > 0) {
                        try {
                            Thread.sleep(delay);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
                return super.getBlob(request);
            }

            @Override
            public UploadPartResponse uploadMultipartPart(MultipartUpload upload, UploadPartRequest request, InputStream input) {
                if (request.partNumber() == self[0].failPartNumber) {
                    try {
                        input.transferTo(OutputStream.nullOutputStream()); // read it all, as a server failing to store it would
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    throw S3Exceptions.fromStatusCode(500);
                }
                UploadPartResponse r = super.uploadMultipartPart(upload, request, input);
                self[0].partsUploaded.incrementAndGet();
                return r;
            }
        };
        S3Proxy proxy = S3Proxy.builder().blobStore(counting)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0")).ignoreUnknownHeaders(true).stopTimeout(0).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(5);
        }
        S3Server server = new S3Server(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
        self[0] = server;
        return server;
    }

    private static long rangeLength(String range) {
        if (range == null || !range.startsWith("bytes=")) {
            return 0;
        }
        String[] ab = range.substring(6).split("-");
        return Long.parseLong(ab[1]) - Long.parseLong(ab[0]) + 1;
    }

    public URI endpoint() {
        return endpoint;
    }

    public S3Server bucket(String name) {
        admin.createBucket(b -> b.bucket(name));
        return this;
    }

    public void put(String bucket, String key, byte[] bytes, Map<String, String> metadata) {
        admin.putObject(b -> b.bucket(bucket).key(key).metadata(metadata), RequestBody.fromBytes(bytes));
    }

    public Source.S3 source(String bucket, String key) {
        return new Source.S3(bucket, key, endpoint, "us-east-1");
    }

    public boolean exists(String bucket, String key) {
        try {
            admin.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            return false;
        }
    }

    /** Multipart uploads begun in {@code bucket} and neither completed nor aborted. */
    public List<String> openUploads(String bucket) {
        return admin.listMultipartUploads(b -> b.bucket(bucket)).uploads().stream().map(u -> u.key()).toList();
    }

    /** The object's ETag, without quotes. */
    public String etag(String bucket, String key) {
        return admin.headObject(b -> b.bucket(bucket).key(key)).eTag().replace("\"", "");
    }

    public void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        admin.close();
        if (!"STOPPED".equals(proxy.getState())) {
            stop();
        }
    }
}
