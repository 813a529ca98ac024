package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The gateway in front of scripted replicas on loopback: routing, errors, streaming, failover and resume. */
class GatewayProxyTest {
    private static final String MODEL = "stories";
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<String> accessLines = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private FakeReplica replica(FakeReplica.Behaviour b) throws Exception {
        FakeReplica r = new FakeReplica(MODEL, b);
        open.add(r);
        return r;
    }

    private Gateway gateway(List<URI> replicas, Duration hold) {
        GatewayConfig d = GatewayConfig.of("127.0.0.1", 0, replicas);
        GatewayConfig c = new GatewayConfig("127.0.0.1", 0, replicas, Duration.ofMillis(100), Duration.ofMillis(300),
                Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(1), hold, d.ejectAfterFailures(),
                d.ejectBase(), d.ejectMax(), 3, d.retryBudgetRatio(), d.retryBudgetMinPerSec(),
                d.affinityPrefixChars(), d.affinityLoadFactor(), true, d.resolveInterval(), d.auth());
        Gateway g = Gateway.start(c, new AccessLog(accessLines::add));
        open.add(g);
        return g;
    }

    private static void awaitUp(Gateway g, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (g.replicas().stream().filter(r -> r.routable(System.nanoTime()) && !r.models().isEmpty()).count() < n) {
            assertThat(System.nanoTime()).as("replicas up in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private HttpResponse<String> post(Gateway g, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    @Test
    void forwardsAndNamesTheReplicaAndItsOwnTime() throws Exception {
        FakeReplica r = replica((ex, body) -> FakeReplica.send(ex, 200, "{\"echo\":" + body + ",\"auth\":\""
                + ex.getRequestHeaders().getFirst("Authorization") + "\"}"));
        Gateway g = gateway(List.of(r.base()), Duration.ofSeconds(2));
        awaitUp(g, 1);
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port()
                        + "/v1/completions")).header("Authorization", "Bearer sk-client")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories\",\"prompt\":\"hi\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(json.readTree(res.body()).path("echo").path("prompt").asText()).isEqualTo("hi"); // body unchanged
        assertThat(json.readTree(res.body()).path("auth").asText()).isEqualTo("Bearer sk-client");
        assertThat(res.headers().firstValue("x-sluice-replica")).contains(r.base().getRawAuthority());
        // the header's old name, kept for one release after the rename so its readers do not break unwarned
        assertThat(res.headers().allValues("x-sluice-backend")).containsExactly(r.base().getRawAuthority());
        assertThat(Double.parseDouble(res.headers().firstValue("x-sluice-gateway-ms").orElseThrow())).isBetween(0.0, 1000.0);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (accessLines.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10); // the line is written once the response is out
        }
        assertThat(accessLines).anySatisfy(l -> assertThat(l).contains("\"path\":\"/v1/completions\"")
                .contains("\"status\":200").contains("\"replica\":\"" + r.base().getRawAuthority() + "\""));
        HttpResponse<String> models = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + g.port() + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json.readTree(models.body()).path("data").get(0).path("id").asText()).isEqualTo(MODEL);
    }

    @Test
    void checksClientKeysByDigestAndSendsReplicasTheirOwnKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        FakeReplica r = replica((ex, body) -> FakeReplica.send(ex, 200, "{\"auth\":\""
                + ex.getRequestHeaders().getFirst("Authorization") + "\"}"));
        java.nio.file.Path keyFile = java.nio.file.Files.writeString(dir.resolve("replica.key"), "sk-replica\n");
        GatewayConfig c = GatewayConfigFile.parse("gateway.yaml", "host: 127.0.0.1\nport: 0\nreplicas: [" + r.base()
                + "]\nhealth_interval_ms: 100\napi_key_sha256: [" + Auth.digestHex("sk-gateway") + "]\nreplica_api_key_file: "
                + keyFile + "\n");
        assertThat(c.toString()).doesNotContain("sk-replica");
        Gateway g = Gateway.start(c, new AccessLog(accessLines::add));
        open.add(g);
        awaitUp(g, 1);
        URI completions = URI.create("http://127.0.0.1:" + g.port() + "/v1/completions");
        for (String header : new String[] {null, "Bearer sk-wrong", "sk-gateway"}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(completions).POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}"));
            if (header != null) {
                b.header("Authorization", header);
            }
            HttpResponse<String> res = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(String.valueOf(header)).isEqualTo(401);
            assertThat(json.readTree(res.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
        }
        HttpResponse<String> ok = client.send(HttpRequest.newBuilder(completions).header("Authorization", "Bearer sk-gateway")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json.readTree(ok.body()).path("auth").asText()).isEqualTo("Bearer sk-replica");
        assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(String.join("\n", accessLines)).doesNotContain("sk-gateway").doesNotContain("sk-replica");
    }

    @Test
    void unknownModelIsAnOpenAi404() throws Exception {
        FakeReplica r = replica((ex, body) -> FakeReplica.send(ex, 200, "{}"));
        Gateway g = gateway(List.of(r.base()), Duration.ofSeconds(2));
        awaitUp(g, 1);
        HttpResponse<String> res = post(g, "/v1/chat/completions", "{\"model\":\"gpt-9\",\"messages\":[]}");
        assertThat(res.statusCode()).isEqualTo(404);
        JsonNode error = json.readTree(res.body()).path("error");
        assertThat(error.path("message").asText()).isEqualTo("The model `gpt-9` does not exist.");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(r.generations.get()).isZero();
    }

    @Test
    void aReplicaAnsweringGarbageIsAnOpenAi502() throws Exception {
        FakeReplica r = replica((ex, body) -> FakeReplica.send(ex, 200, "<html>proxy error</html>"));
        Gateway g = gateway(List.of(r.base()), Duration.ofSeconds(2));
        awaitUp(g, 1);
        HttpResponse<String> res = post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"hi\"}");
        assertThat(res.statusCode()).isEqualTo(502);
        JsonNode error = json.readTree(res.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("message").asText()).contains("not JSON").contains("proxy error");
        HttpResponse<String> stream = post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"hi\",\"stream\":true}");
        assertThat(stream.statusCode()).isEqualTo(502);
    }

    @Test
    void retriesARefusedReplicaElsewhereAndEjectsIt() throws Exception {
        FakeReplica good = replica((ex, body) -> FakeReplica.send(ex, 200, "{\"ok\":true}"));
        URI dead = closedPort();
        Gateway g = gateway(List.of(dead, good.base()), Duration.ofSeconds(2));
        awaitUp(g, 1);
        for (int i = 0; i < 10; i++) {
            assertThat(post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"p" + i + "\"}").statusCode())
                    .isEqualTo(200);
        }
        Replica deadReplica = g.replicas().getFirst();
        assertThat(deadReplica.state(System.nanoTime())).isNotEqualTo(Replica.State.UP);
        assertThat(good.generations.get()).isEqualTo(10);
    }

    @Test
    void aConnectionClosedBeforeAnyAnswerIsSentAgainWithoutCountingAgainstTheReplica() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        FakeReplica r = replica((ex, body) -> {
            if (calls.incrementAndGet() == 1) {
                ex.getResponseBody().close(); // as a stale kept-alive connection: closed, not a byte sent
                return;
            }
            FakeReplica.send(ex, 200, "{\"ok\":true}");
        });
        Gateway g = gateway(List.of(r.base()), Duration.ofSeconds(2));
        awaitUp(g, 1);
        assertThat(post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\"}").statusCode()).isEqualTo(200);
        assertThat(calls.get()).isEqualTo(2);
        assertThat(g.replicas().getFirst().state(System.nanoTime())).isEqualTo(Replica.State.UP);
        assertThat(metrics(g)).contains("sluice_gateway_retries_total 0.0");
    }

    @Test
    void aReplicaThatAnswers5xxIsRetriedOnAnother() throws Exception {
        FakeReplica sick = replica((ex, body) -> FakeReplica.send(ex, 500, "{\"error\":{\"message\":\"boom\"}}"));
        FakeReplica good = replica((ex, body) -> FakeReplica.send(ex, 200, "{\"ok\":true}"));
        Gateway g = gateway(List.of(sick.base(), good.base()), Duration.ofSeconds(2));
        awaitUp(g, 2);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> res = post(g, "/v1/embeddings", "{\"model\":\"stories\",\"input\":\"x\"}");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("x-sluice-replica")).contains(good.base().getRawAuthority());
        }
        assertThat(metrics(g)).contains("sluice_gateway_retries_total").contains("sluice_gateway_failovers_total");
    }

    @Test
    void holdsWhileNoReplicaIsReadyThen503WithRetryAfter() throws Exception {
        FakeReplica r = replica((ex, body) -> FakeReplica.send(ex, 200, "{}"));
        r.healthy = false;
        Gateway g = gateway(List.of(r.base()), Duration.ofMillis(800));
        Thread held = Thread.startVirtualThread(() -> {
            try {
                HttpResponse<String> res = post(g, "/v1/completions", "{\"prompt\":\"x\"}");
                assertThat(res.statusCode()).isEqualTo(503);
                assertThat(res.headers().firstValue("retry-after")).isPresent();
                assertThat(json.readTree(res.body()).path("error").path("code").asText()).isEqualTo("no_replica");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(300);
        assertThat(metrics(g)).contains("sluice_gateway_held_requests 1.0");
        held.join(5000);
        assertThat(held.isAlive()).isFalse();
        assertThat(metrics(g)).contains("sluice_gateway_held_requests 0.0");
        // once the replica turns healthy, a held request is served
        r.healthy = true;
        assertThat(post(g, "/v1/completions", "{\"prompt\":\"x\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void streamsChunkByChunkNotBuffered() throws Exception {
        // causal, not timed: the replica sends its first chunk and then waits until the client has
        // read it; a gateway that buffered would hold that chunk until the replica finished
        java.util.concurrent.CountDownLatch firstRead = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        FakeReplica r = replica((ex, body) -> {
            OutputStream out = FakeReplica.startStream(ex);
            FakeReplica.event(out, FakeReplica.chunk("cmpl-1", "t0"));
            firstRead.await(10, java.util.concurrent.TimeUnit.SECONDS);
            for (int i = 1; i < 3; i++) {
                FakeReplica.event(out, FakeReplica.chunk("cmpl-1", "t" + i));
            }
            FakeReplica.event(out, "[DONE]");
            finished.set(true);
        });
        Gateway g = gateway(List.of(r.base()), Duration.ofSeconds(2));
        awaitUp(g, 1);
        HttpResponse<InputStream> res = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + g.port() + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories\",\"prompt\":\"x\",\"stream\":true}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8));
        String first = reader.readLine();
        assertThat(first).contains("t0");
        assertThat(finished.get()).as("the first chunk arrived while the replica was still streaming").isFalse();
        firstRead.countDown();
        String all = first + "\n" + new String(reader.lines().reduce("", (a, b) -> a + b + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(all).contains("t1").contains("t2").contains("[DONE]");
    }

    @Test
    void pingsWhileTheReplicaWaitsReachTheClientAtOnce() throws Exception {
        FakeReplica r = replica((ex, body) -> {
            OutputStream out = FakeReplica.startStream(ex);
            out.write(": ping\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(800); // a long prefill
            FakeReplica.event(out, FakeReplica.chunk("cmpl-1", "late"));
            FakeReplica.event(out, "[DONE]");
        });
        Gateway g = gateway(List.of(r.base()), Duration.ofSeconds(2));
        awaitUp(g, 1);
        long start = System.nanoTime();
        HttpResponse<InputStream> res = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + g.port() + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories\",\"prompt\":\"x\",\"stream\":true}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).isEqualTo(": ping");
        assertThat((System.nanoTime() - start) / 1_000_000).as("ping before the replica's first token").isLessThan(700);
        assertThat(reader.lines().reduce("", (a, b) -> a + b + "\n")).contains("late").contains("[DONE]");
    }

    @Test
    void aStreamDroppedMidwayIsResumedOnAnotherReplicaWithoutDuplicates() throws Exception {
        String[] tokens = {"Once", " upon", " a", " time"};
        FakeReplica.Behaviour full = (ex, body) -> {
            OutputStream out = FakeReplica.startStream(ex);
            for (String t : tokens) {
                FakeReplica.event(out, FakeReplica.chunk("cmpl-B", t));
            }
            FakeReplica.event(out, "[DONE]");
        };
        FakeReplica dropping = replica((ex, body) -> {
            OutputStream out = FakeReplica.startStream(ex);
            FakeReplica.event(out, FakeReplica.chunk("cmpl-A", tokens[0]));
            FakeReplica.event(out, FakeReplica.chunk("cmpl-A", tokens[1]));
            throw new java.io.IOException("replica dies"); // closes the connection without [DONE]
        });
        FakeReplica healthy = replica(full);
        Gateway g = gateway(List.of(dropping.base(), healthy.base()), Duration.ofSeconds(2));
        awaitUp(g, 2);
        busy(g.replicas().get(1), 3); // past the bounded load: the dropping replica is tried first, whatever the hash says
        HttpResponse<String> res = post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\",\"stream\":true}");
        busy(g.replicas().get(1), -3);
        assertThat(res.statusCode()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        List<String> ids = new ArrayList<>();
        for (String line : res.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode c = json.readTree(line.substring(6));
                text.append(c.path("choices").get(0).path("text").asText());
                ids.add(c.path("id").asText());
            }
        }
        assertThat(text.toString()).isEqualTo("Once upon a time");
        assertThat(ids).containsOnly("cmpl-A");
        assertThat(res.body()).endsWith("data: [DONE]\n\n");
        assertThat(metrics(g)).contains("sluice_gateway_resumes_total 1.0");
    }

    private static void awaitResumeWire(Gateway g) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!g.replicas().stream().allMatch(Replica::resumeWire)) {
            assertThat(System.nanoTime()).as("the replicas' /metrics scraped").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void betweenReplicasThatSpeakTheWireAStreamContinuesAfterItsTokenIds() throws Exception {
        List<JsonNode> asked = new CopyOnWriteArrayList<>();
        FakeReplica dropping = replica((ex, body) -> {
            asked.add(json.readTree(body));
            OutputStream out = FakeReplica.startStream(ex);
            FakeReplica.event(out, FakeReplica.chunk("cmpl-A", "Once", new int[] {10}, null));
            FakeReplica.event(out, FakeReplica.chunk("cmpl-A", " upon", new int[] {11, 12}, null));
            throw new java.io.IOException("replica dies");
        });
        FakeReplica continuing = replica((ex, body) -> {
            JsonNode request = json.readTree(body);
            asked.add(request);
            ex.getResponseHeaders().set("x-sluice-resumed-tokens",
                    Integer.toString(request.at("/sluice/resume_token_ids").size()));
            OutputStream out = FakeReplica.startStream(ex);
            FakeReplica.event(out, FakeReplica.chunk("cmpl-B", " a", new int[] {13}, null));
            FakeReplica.event(out, FakeReplica.chunk("cmpl-B", " time", new int[] {14}, "length"));
            FakeReplica.event(out, "[DONE]");
        });
        dropping.resumeWire = true;
        continuing.resumeWire = true;
        Gateway g = gateway(List.of(dropping.base(), continuing.base()), Duration.ofSeconds(2));
        awaitUp(g, 2);
        awaitResumeWire(g);
        busy(g.replicas().get(1), 3); // the dropping replica first
        HttpResponse<String> res = post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\",\"stream\":true}");
        busy(g.replicas().get(1), -3);
        assertThat(res.statusCode()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        for (String line : res.body().split("\n")) {
            if (line.startsWith("data: {")) {
                JsonNode c = json.readTree(line.substring(6));
                text.append(c.path("choices").get(0).path("text").asText());
                assertThat(c.path("id").asText()).isEqualTo("cmpl-A");
            }
        }
        assertThat(text.toString()).isEqualTo("Once upon a time");
        assertThat(res.body()).as("ids the client did not ask for").doesNotContain("token_ids").endsWith("data: [DONE]\n\n");
        assertThat(asked).hasSize(2);
        assertThat(asked.get(0).get("return_token_ids").asBoolean()).isTrue();
        assertThat(asked.get(0).has("sluice")).isFalse();
        assertThat(asked.get(1).at("/sluice/resume_token_ids").toString()).isEqualTo("[10,11,12]");
        assertThat(metrics(g)).contains("sluice_gateway_resumes_total 1.0")
                .contains("sluice_gateway_resumes_from_token_ids_total 1.0");
    }

    @Test
    void aStreamDroppedAfterItsLastChunkOnlyNeedsItsEnd() throws Exception {
        FakeReplica dropping = replica((ex, body) -> {
            OutputStream out = FakeReplica.startStream(ex);
            FakeReplica.event(out, FakeReplica.chunk("cmpl-A", "Once", new int[] {10}, null));
            FakeReplica.event(out, FakeReplica.chunk("cmpl-A", " upon", new int[] {11, 2}, "stop"));
            throw new java.io.IOException("replica dies before [DONE]");
        });
        FakeReplica other = replica((ex, body) -> FakeReplica.send(ex, 400, "{\"error\":{\"message\":\"no\"}}"));
        dropping.resumeWire = true;
        other.resumeWire = true;
        Gateway g = gateway(List.of(dropping.base(), other.base()), Duration.ofSeconds(2));
        awaitUp(g, 2);
        awaitResumeWire(g);
        busy(g.replicas().get(1), 3);
        HttpResponse<String> res = post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\",\"stream\":true}");
        busy(g.replicas().get(1), -3);
        assertThat(res.body()).doesNotContain("error").contains("Once").contains(" upon").endsWith("data: [DONE]\n\n");
        assertThat(other.generations.get()).as("the answer was whole: no replica asked to go on").isZero();
    }

    @Test
    void aResumeThatDivergesEndsWithACleanErrorEvent() throws Exception {
        FakeReplica dropping = replica((ex, body) -> {
            OutputStream out = FakeReplica.startStream(ex);
            FakeReplica.event(out, FakeReplica.chunk("cmpl-A", "one"));
            throw new java.io.IOException("replica dies");
        });
        FakeReplica other = replica((ex, body) -> {
            OutputStream out = FakeReplica.startStream(ex);
            FakeReplica.event(out, FakeReplica.chunk("cmpl-B", "two"));
            FakeReplica.event(out, "[DONE]");
        });
        Gateway g = gateway(List.of(dropping.base(), other.base()), Duration.ofSeconds(2));
        awaitUp(g, 2);
        busy(g.replicas().get(1), 3);
        HttpResponse<String> res = post(g, "/v1/completions", "{\"model\":\"stories\",\"prompt\":\"x\",\"stream\":true}");
        busy(g.replicas().get(1), -3);
        assertThat(res.body()).contains("\"text\":\"one\"").doesNotContain("\"text\":\"two\"")
                .contains("\"code\":\"stream_interrupted\"").contains("different text").endsWith("data: [DONE]\n\n");
    }

    private static void busy(Replica r, int requests) {
        for (int i = 0; i < Math.abs(requests); i++) {
            if (requests > 0) {
                r.begin();
            } else {
                r.end();
            }
        }
    }

    @Test
    void replicasBehindANameJoinAndLeaveAsItsAddressesChange() throws Exception {
        FakeReplica.Behaviour ok = (ex, body) -> FakeReplica.send(ex, 200, "{\"ok\":true}");
        FakeReplica first = replica(ok);
        int port = first.base().getPort();
        FakeReplica second = new FakeReplica(MODEL, ok, "127.0.0.2", port); // the same port on another address
        open.add(second);
        var addresses = new java.util.concurrent.atomic.AtomicReference<List<java.net.InetAddress>>(
                List.of(java.net.InetAddress.ofLiteral("127.0.0.1")));
        GatewayConfig d = GatewayConfig.of("127.0.0.1", 0, List.of());
        GatewayConfig c = new GatewayConfig("127.0.0.1", 0, List.of(URI.create("http://replicas.test:" + port)),
                Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofMillis(200), Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ofSeconds(2), d.ejectAfterFailures(), d.ejectBase(), d.ejectMax(), 3,
                d.retryBudgetRatio(), d.retryBudgetMinPerSec(), d.affinityPrefixChars(), d.affinityLoadFactor(), true,
                Duration.ofMillis(100), Auth.NONE);
        Gateway g = Gateway.start(c, new AccessLog(accessLines::add), host -> {
            assertThat(host).isEqualTo("replicas.test");
            return addresses.get();
        });
        open.add(g);
        awaitUp(g, 1);
        assertThat(g.replicas()).extracting(Replica::name).containsExactly("127.0.0.1:" + port);

        addresses.set(List.of(java.net.InetAddress.ofLiteral("127.0.0.1"), java.net.InetAddress.ofLiteral("127.0.0.2")));
        awaitUp(g, 2);
        java.util.Set<String> served = new java.util.HashSet<>();
        for (int i = 0; i < 20 && served.size() < 2; i++) {
            served.add(post(g, "/v1/embeddings", "{\"input\":\"x\"}").headers().firstValue("x-sluice-replica").orElseThrow());
        }
        assertThat(served).containsExactlyInAnyOrder("127.0.0.1:" + port, "127.0.0.2:" + port);

        addresses.set(List.of(java.net.InetAddress.ofLiteral("127.0.0.2")));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (g.replicas().size() != 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(g.replicas()).extracting(Replica::name).containsExactly("127.0.0.2:" + port);
        assertThat(post(g, "/v1/embeddings", "{\"input\":\"x\"}").headers().firstValue("x-sluice-replica"))
                .contains("127.0.0.2:" + port);
    }

    private String metrics(Gateway g) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
