package ai.sluice.server.http;

import ai.sluice.server.Eventually;
import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import ai.sluice.server.ScriptedModel;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.ServerStartException;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Operational behaviour: keys, queue bounds, health, heartbeats, drain. One server per test. */
class ServerOperationsTest {
    private static final String KEY = "sk-test-0123456789";
    private ScriptedModel servedModel;
    private SluiceServer server;
    private final List<String> accessLines = new CopyOnWriteArrayList<>();

    private SluiceServer start(ServerConfig config) {
        servedModel = new ScriptedModel(TestData.stories260K(), 512, 5);
        server = SluiceServer.start(config, servedModel, new AccessLog(accessLines::add));
        return server;
    }

    private static ServerConfig config() {
        return ServerConfig.defaults("stories", 512).withPort(0)
                .withTimes(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMillis(500));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
        if (servedModel != null) {
            servedModel.close();
        }
    }

    @Test
    void aPortInUseIsAnErrorNotAServerOnPortMinusOne() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            servedModel = new ScriptedModel(TestData.stories260K(), 512, 5);
            assertThatThrownBy(() -> SluiceServer.start(config().withPort(taken.getLocalPort()), servedModel,
                    new AccessLog(accessLines::add)))
                    .isInstanceOf(ServerStartException.class)
                    .hasMessageContaining(":" + taken.getLocalPort())
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void apiKeyIsRequiredOnTheApiButNotOnProbesAndNeverLogged() {
        start(config().withApiKeys(List.of("other-key", KEY)));
        HttpTestClient anonymous = new HttpTestClient(server.port(), null);
        HttpTestClient wrong = new HttpTestClient(server.port(), "sk-wrong");
        HttpTestClient right = new HttpTestClient(server.port(), KEY);
        Reply denied = anonymous.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}");
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.json().at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(wrong.get("/v1/models").status()).isEqualTo(401);
        assertThat(right.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}").status()).isEqualTo(200);
        assertThat(anonymous.get("/health").status()).isEqualTo(200);
        assertThat(anonymous.get("/ready").status()).isEqualTo(200);
        assertThat(anonymous.get("/metrics").status()).isEqualTo(200);
        assertThat(String.join("\n", accessLines)).doesNotContain(KEY).doesNotContain("sk-wrong");
    }

    @Test
    void fullWaitingQueueIsA429WithRetryAfter() {
        start(config());
        servedModel.maxQueued(2);
        servedModel.prefillSteps(1_000); // nobody gets a first token: everyone stays waiting
        HttpTestClient client = new HttpTestClient(server.port(), null);
        List<CompletableFuture<Reply>> waiting = List.of(
                CompletableFuture.supplyAsync(() -> client.post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":1}")),
                CompletableFuture.supplyAsync(() -> client.post("/v1/completions", "{\"prompt\":\"b\",\"max_tokens\":1}")));
        Eventually.await("two requests wait", () -> servedModel.activeSequences() == 2);
        Reply refused = client.post("/v1/completions", "{\"prompt\":\"c\",\"max_tokens\":1}");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("queue_full");
        assertThat(refused.raw().headers().firstValueAsLong("retry-after").orElse(-1)).isEqualTo(3L);
        assertThat(refused.json().at("/error/message").asText()).endsWith("retry in 3 s (the Retry-After header)");
        servedModel.finishPrefills();
        waiting.forEach(f -> assertThat(f.join().status()).isEqualTo(200));
    }

    @Test
    void healthFailsWhileTheEngineLoopIsFrozen() {
        start(config());
        HttpTestClient client = new HttpTestClient(server.port(), null);
        assertThat(client.get("/health").status()).isEqualTo(200);
        servedModel.freeze(true);
        Eventually.await("/health reports the stalled loop", () -> client.get("/health").status() == 503);
        assertThat(client.get("/health").json().get("status").asText()).isEqualTo("engine loop stalled");
        servedModel.freeze(false);
        Eventually.await("/health recovers", () -> client.get("/health").status() == 200);
    }

    @Test
    void streamGetsPingsWhileThePromptIsStillPrefilling() {
        start(config());
        servedModel.prefillSteps(60); // 60 steps x 5 ms before the first token
        HttpTestClient client = new HttpTestClient(server.port(), null);
        Reply r = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2,\"stream\":true}");
        assertThat(r.body()).contains(": ping\n\n");
        assertThat(r.events().getLast()).isEqualTo("[DONE]");
    }

    @Test
    void requestRunningPastTheTimeoutIsCancelledWithAnErrorEvent() {
        start(config().withTimes(Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofSeconds(5)));
        servedModel.stepMillis(20);
        HttpTestClient client = new HttpTestClient(server.port(), null);
        Reply r = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":400,\"stream\":true}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("\"code\":\"request_timeout\"");
        assertThat(r.events().getLast()).isEqualTo("[DONE]");
        Eventually.await("the timed-out sequence is cancelled", () -> servedModel.activeSequences() == 0);
    }

    @Test
    void drainRefusesNewWorkAndLetsRunningRequestsFinish() throws Exception {
        start(config());
        servedModel.stepMillis(20);
        HttpTestClient client = new HttpTestClient(server.port(), null);
        CompletableFuture<Reply> running = CompletableFuture.supplyAsync(
                () -> client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":30}"));
        Eventually.await("the request runs", () -> servedModel.activeSequences() == 1);
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return server.drain(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Eventually.await("readiness turns false", () -> client.get("/ready").status() == 503);
        Reply refused = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("draining");
        assertThat(running.join().status()).isEqualTo(200);
        assertThat(running.join().json().at("/usage/completion_tokens").asInt()).isEqualTo(30);
        assertThat(drained.join()).isTrue();
    }
}
