package ai.sluice.server.http;

import ai.sluice.engine.Engine;
import ai.sluice.engine.EngineMetrics;
import ai.sluice.server.Eventually;
import ai.sluice.server.HttpTestClient;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.StoriesEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Health and disconnects against the real engine on stories260K: what matters is the engine's own state. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealEngineOperationsTest {
    private static final String LONG = "{\"prompt\":\"Once upon a time\",\"max_tokens\":1900,\"n\":4,\"ignore_eos\":true";
    private StoriesEngine servedModel;
    private SluiceServer server;
    private HttpTestClient client;

    @BeforeAll
    void start() {
        servedModel = new StoriesEngine(8);
        ServerConfig config = ServerConfig.defaults("stories", servedModel.contextLength()).withPort(0)
                .withTimes(Duration.ofSeconds(60), Duration.ofMillis(50), Duration.ofMillis(500));
        server = SluiceServer.start(config, servedModel, new AccessLog(line -> { }));
        client = new HttpTestClient(server.port(), null);
    }

    @AfterAll
    void stop() {
        server.stop();
        servedModel.close();
    }

    @Test
    void logitBiasReachesTheEngine() {
        // +100 on one token makes greedy decoding pick it every time; its logprobs are the model's own
        HttpTestClient.Reply r = client.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":6,"
                + "\"temperature\":0,\"ignore_eos\":true,\"logprobs\":0,\"logit_bias\":{\"300\":100}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var tokens = r.json().at("/choices/0/logprobs/tokens");
        assertThat(tokens.size()).isEqualTo(6);
        String forced = tokens.get(0).asText();
        for (var t : tokens) {
            assertThat(t.asText()).isEqualTo(forced);
        }
        HttpTestClient.Reply plain = client.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":6,"
                + "\"temperature\":0,\"ignore_eos\":true}");
        assertThat(plain.json().at("/choices/0/text").asText()).isNotEqualTo(r.json().at("/choices/0/text").asText());
    }

    @Test
    void healthIs503WhileTheEngineLoopIsFrozen() {
        Engine engine = servedModel.engine();
        assertThat(client.get("/health").status()).isEqualTo(200);
        try (Engine.Freeze frozen = engine.freezeLoopForTesting()) {
            Eventually.await("/health reports the frozen loop", () -> client.get("/health").status() == 503);
            assertThat(client.get("/ready").status()).as("a hung engine takes the replica out of rotation").isEqualTo(503);
        }
        Eventually.await("/health recovers", () -> client.get("/health").status() == 200);
        assertThat(client.get("/ready").status()).isEqualTo(200);
    }

    @Test
    void streamedClientThatHangsUpIsCancelledAndItsKvBlocksFreed() throws Exception {
        long aborted = aborted();
        long completed = completed();
        client.postAndHangUp(server.port(), "/v1/completions", LONG + ",\"stream\":true}", "data: ");
        awaitCancelledAndFreed(aborted, completed);
    }

    @Test
    void wholeResponseClientThatHangsUpIsCancelledAndItsKvBlocksFreed() throws Exception {
        long aborted = aborted();
        long completed = completed();
        client.postAndHangUp(server.port(), "/v1/completions", LONG + "}", null);
        awaitCancelledAndFreed(aborted, completed);
    }

    private void awaitCancelledAndFreed(long abortedBefore, long completedBefore) {
        EngineMetrics m = servedModel.engine().metrics();
        Eventually.await("the 4 sequences are cancelled", () -> aborted() >= abortedBefore + 4);
        Eventually.await("the engine holds no sequence and no KV block",
                () -> m.runningRequests() == 0 && m.waitingRequests() == 0 && m.kvCacheUsage() == 0.0);
        assertThat(completed()).as("none ran to its end").isEqualTo(completedBefore);
    }

    private long completed() {
        return servedModel.engine().metrics().finishedByReason().getOrDefault("length", 0L);
    }

    private long aborted() {
        return servedModel.engine().metrics().finishedByReason().getOrDefault("abort", 0L);
    }
}
