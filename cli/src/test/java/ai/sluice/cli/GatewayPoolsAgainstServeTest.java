package ai.sluice.cli;

import ai.sluice.gateway.Auth;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Hybrid pools with real processes on loopback: {@code sluice serve} as {@code onprem} (one sequence at a time, so
 * it queues), as {@code cloud}, and with {@code --api-key} as the {@code external} OpenAI-compatible provider, and
 * {@code sluice gateway --config} as a child process. What reached which server is read from that server's own
 * access log, not from the gateway's word.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayPoolsAgainstServeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String EXTERNAL_KEY = "sk-external-provider-7f3a9c";
    private static final String KEY_RESTRICTED = "sk-team-restricted-1";
    private static final String KEY_PUBLIC = "sk-team-public-2";
    private static final String KEY_METERED = "sk-team-metered-3";
    /** onprem by the replica-hour ($2/h at 500 output tokens/s), the others per token. */
    private static final double ONPREM_OUT = 2.0 / (500 * 3600) * 1e6;
    private static final Map<String, double[]> PRICES = Map.of("onprem", new double[]{0, ONPREM_OUT},
            "cloud", new double[]{0.5, 1.5}, "external", new double[]{2.5, 10});
    private static ServeProcess onprem;
    private static ServeProcess cloud;
    private static ServeProcess external;
    private static Process gateway;
    private static Path gatewayLog;
    private static URI base;
    /** Tokens the clients were told (usage), by the pool the x-sluice-pool header named: input, output. */
    private static final Map<String, long[]> SEEN = new ConcurrentHashMap<>();
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("external.key"), EXTERNAL_KEY + "\n");
        List<CompletableFuture<ServeProcess>> starting = new ArrayList<>();
        for (String[] args : List.of(new String[]{"onprem", "--no-warmup", "--max-num-seqs", "1"},
                new String[]{"cloud", "--no-warmup"},
                new String[]{"external", "--no-warmup", "--api-key-file", keyFile.toString(),
                        "--served-model-name", "stories-ext"})) {
            Path d = Files.createDirectories(dir.resolve(args[0]));
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ServeProcess.start(d, rest);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        onprem = starting.get(0).get(180, TimeUnit.SECONDS);
        cloud = starting.get(1).get(180, TimeUnit.SECONDS);
        external = starting.get(2).get(180, TimeUnit.SECONDS);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        base = URI.create("http://127.0.0.1:" + port);
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                host: 127.0.0.1
                port: %d
                health_interval_ms: 200
                health_timeout_ms: 2500
                scrape_interval_ms: 100
                hold_timeout_ms: 2500
                first_byte_timeout_ms: 30000
                stream_stall_timeout_ms: 30000
                pools:
                  - name: onprem
                    labels: [onprem]
                    replicas: [%s]
                    price: {replica_hour: 2.0, output_tokens_per_second: 500}
                    spill_at_waiting: 2
                    spill_back_at_waiting: 0
                  - name: cloud
                    labels: [cloud]
                    replicas: [%s]
                    price: {input_per_1m: 0.5, output_per_1m: 1.5}
                  - name: external
                    labels: [external]
                    external:
                      api: openai
                      base_url: %s/v1
                      api_key_file: %s
                      models: {stories260K: stories-ext}
                      requests_per_second: 20
                    price: {input_per_1m: 2.5, output_per_1m: 10}
                data_classes:
                  restricted: [onprem]
                  public: [onprem, cloud, external]
                  offsite: [external]
                default_data_class: public
                api_keys:
                  - {name: team-restricted, sha256: %s, data_class: restricted}
                  - {name: team-public, sha256: %s}
                  - {name: team-metered, sha256: %s, tokens_per_minute: 20}
                """.formatted(port, onprem.base(), cloud.base(), external.base(), keyFile,
                Auth.digestHex(KEY_RESTRICTED), Auth.digestHex(KEY_PUBLIC), Auth.digestHex(KEY_METERED)));
        gatewayLog = dir.resolve("gateway.log");
        gateway = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseParallelGC",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "gateway", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(gatewayLog.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            assertThat(gateway.isAlive()).as("gateway running: " + Files.readString(gatewayLog)).isTrue();
            try {
                if (HTTP.send(HttpRequest.newBuilder(base.resolve("/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200 && metric("sluice_gateway_replica_up\\{"
                        + "replica=\"[^\"]+\",state=\"up\"}") >= 3) {
                    break;
                }
            } catch (IOException notYet) {
                // starting
            }
            assertThat(System.nanoTime()).as("gateway ready within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
        for (ServeProcess p : new ServeProcess[]{onprem, cloud, external}) {
            if (p != null) {
                p.close();
            }
        }
    }

    /** A request through the gateway; its usage (streams ask for it) is added to {@link #SEEN} by pool. */
    private static HttpResponse<String> call(String key, String dataClass, ObjectNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/v1/completions")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (dataClass != null) {
            b.header("x-sluice-data-class", dataClass);
        }
        HttpResponse<String> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() == 200) {
            JsonNode usage = null;
            if (body.path("stream").asBoolean()) {
                for (String line : res.body().split("\n")) {
                    if (line.startsWith("data: {") && line.contains("\"usage\"")) {
                        JsonNode u = JSON.readTree(line.substring(6)).path("usage");
                        usage = u.isObject() ? u : usage;
                    }
                }
            } else {
                usage = JSON.readTree(res.body()).path("usage");
            }
            assertThat(usage).as("usage in " + res.body()).isNotNull();
            long[] seen = SEEN.computeIfAbsent(res.headers().firstValue("x-sluice-pool").orElseThrow(), p -> new long[2]);
            synchronized (seen) {
                seen[0] += usage.path("prompt_tokens").asLong();
                seen[1] += usage.path("completion_tokens").asLong();
            }
        }
        return res;
    }

    private static ObjectNode body(String prompt, int maxTokens, boolean stream) {
        ObjectNode b = JSON.createObjectNode().put("model", "stories260K").put("prompt", prompt)
                .put("max_tokens", maxTokens).put("temperature", 0);
        if (stream) {
            b.put("stream", true).putObject("stream_options").put("include_usage", true);
        }
        return b;
    }

    /** POST requests in a server's own access log. */
    private static long posts(ServeProcess p) throws IOException {
        return p.logText().lines().filter(l -> l.contains("\"type\":\"access\"") && l.contains("\"method\":\"POST\"")).count();
    }

    private static double metric(String regex) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("^" + regex + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> condition, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.call()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    @Order(1)
    void overflowSpillsToCloudAndComesBackWhileRestrictedTrafficStaysHome() throws Exception {
        long cloudBefore = posts(cloud);
        long externalBefore = posts(external);
        // onprem runs one sequence at a time: eight long requests queue up to seven deep, past its spill_at_waiting of 2
        List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ObjectNode b = body("Once upon a time " + i, 150, i % 2 == 0).put("ignore_eos", true);
            load.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return call(KEY_RESTRICTED, null, b);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, Thread::startVirtualThread));
        }
        await("onprem spilling", () -> metric("sluice_gateway_pool_spilling\\{pool=\"onprem\"}") == 1, Duration.ofSeconds(30));
        HttpResponse<String> spilled = call(KEY_PUBLIC, null, body("The little dog", 8, false));
        assertThat(spilled.statusCode()).as(spilled.body()).isEqualTo(200);
        assertThat(spilled.headers().firstValue("x-sluice-pool")).contains("cloud");
        assertThat(spilled.headers().firstValue("x-sluice-route")).get().asString()
                .contains("data class public (from the default)").contains("spill: onprem has");
        // a restricted request is not spilled: it waits its turn at home
        HttpResponse<String> home = call(KEY_RESTRICTED, null, body("The sun was", 8, true));
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.headers().firstValue("x-sluice-pool")).contains("onprem");
        for (CompletableFuture<HttpResponse<String>> f : load) {
            HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-sluice-pool")).contains("onprem");
        }
        await("onprem back from spilling", () -> metric("sluice_gateway_pool_spilling\\{pool=\"onprem\"}") == 0,
                Duration.ofSeconds(20));
        HttpResponse<String> back = call(KEY_PUBLIC, null, body("Mom said", 8, false));
        assertThat(back.headers().firstValue("x-sluice-pool")).contains("onprem");
        assertThat(back.headers().firstValue("x-sluice-route")).get().asString().contains("first choice");
        await("cloud's access-log line for the spilled request", () -> posts(cloud) >= cloudBefore + 1, Duration.ofSeconds(5));
        assertThat(posts(cloud)).as("requests cloud logged: the one spilled").isEqualTo(cloudBefore + 1);
        assertThat(posts(external)).as("requests external logged").isEqualTo(externalBefore);
    }

    @Test
    @Order(2)
    void theExternalProviderGetsItsKeyAndModelNameAndTheKeyIsNeverLogged() throws Exception {
        long before = posts(external);
        HttpResponse<String> res = call(KEY_PUBLIC, "offsite", body("One day, a big", 8, true));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200); // serve --api-key answers 401 without the key
        assertThat(res.headers().firstValue("x-sluice-pool")).contains("external");
        // a server logs a stream once it has sent [DONE]: the line may come a moment after the client has its answer
        await("the provider's access-log line", () -> posts(external) > before, Duration.ofSeconds(5));
        String last = external.logText().lines().filter(l -> l.contains("\"method\":\"POST\"")).reduce((a, b) -> b).orElseThrow();
        assertThat(JSON.readTree(last).path("model").asText()).as("the provider's name for the model").isEqualTo("stories-ext");
        assertThat(JSON.readTree(last).path("status").asInt()).isEqualTo(200);
        assertThat(Files.readString(gatewayLog)).as("the gateway's whole output").doesNotContain(EXTERNAL_KEY)
                .doesNotContain(KEY_PUBLIC).contains("\"pool\":\"external\"");
    }

    @Test
    @Order(3)
    void aKeyOverItsTokensPerMinuteGets429WithRetryAfter() throws Exception {
        assertThat(call(KEY_METERED, null, body("Lily and Tom", 24, false)).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = call(KEY_METERED, null, body("Lily and Tom", 24, false));
        assertThat(limited.statusCode()).isEqualTo(429);
        long retry = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retry).as("Retry-After: until the minute's bucket is above zero again").isBetween(1L, 120L);
        assertThat(JSON.readTree(limited.body()).path("error").path("message").asText()).contains("team-metered");
    }

    @Test
    @Order(4)
    void withOnpremDownRestrictedTrafficGets503AndNeverReachesCloudOrExternal() throws Exception {
        onprem.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9
        await("onprem out", () -> metric("sluice_gateway_replica_up\\{replica=\"" + onprem.base().getRawAuthority()
                + "\",state=\"up\"}") == 0, Duration.ofSeconds(10));
        long cloudBefore = posts(cloud);
        long externalBefore = posts(external);
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> res = i % 2 == 0 ? call(KEY_RESTRICTED, null, body("The sun was", 8, i % 4 == 0))
                    : call(KEY_PUBLIC, "restricted", body("The sun was", 8, false));
            assertThat(res.statusCode()).as(res.body()).isEqualTo(503);
            assertThat(res.headers().firstValue("Retry-After")).isPresent();
            assertThat(JSON.readTree(res.body()).path("error").path("message").asText())
                    .contains("data class restricted").contains("allowed, in order: onprem")
                    .contains("never used for this class: cloud, external").contains("onprem: no ready replica");
        }
        assertThat(posts(cloud)).as("requests cloud logged while only restricted traffic came").isEqualTo(cloudBefore);
        assertThat(posts(external)).as("requests external logged").isEqualTo(externalBefore);
        HttpResponse<String> open = call(KEY_PUBLIC, null, body("The sun was", 8, false));
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("x-sluice-pool")).contains("cloud");
        assertThat(open.headers().firstValue("x-sluice-route")).get().asString().contains("failover: onprem");
    }

    @Test
    @Order(5)
    void costCountersAreTheClientsTokensTimesThePoolsPrices() throws Exception {
        assertThat(SEEN.keySet()).contains("onprem", "cloud", "external");
        for (Map.Entry<String, long[]> e : SEEN.entrySet()) {
            String pool = e.getKey();
            double in = metric("sluice_gateway_tokens_total\\{key=\"[^\"]+\",kind=\"input\",pool=\"" + pool + "\"}");
            double out = metric("sluice_gateway_tokens_total\\{key=\"[^\"]+\",kind=\"output\",pool=\"" + pool + "\"}");
            assertThat(in).as(pool + " input tokens").isEqualTo(e.getValue()[0]);
            assertThat(out).as(pool + " output tokens").isEqualTo(e.getValue()[1]);
            double[] price = PRICES.get(pool);
            assertThat(metric("sluice_gateway_cost_dollars_total\\{key=\"[^\"]+\",pool=\"" + pool + "\"}"))
                    .as(pool + " dollars").isCloseTo((in * price[0] + out * price[1]) / 1e6, within(1e-9));
        }
        assertThat(metric("sluice_gateway_tokens_total\\{key=\"team-restricted\",kind=\"output\",pool=\"cloud\"}"))
                .isZero();
    }
}
