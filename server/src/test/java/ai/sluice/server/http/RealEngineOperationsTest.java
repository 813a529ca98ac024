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
    private StoriesEngine backend;
    private SluiceServer server;
    private HttpTestClient client;

    @BeforeAll
    void start() {
        backend = new StoriesEngine(8);
        ServerConfig config = ServerConfig.defaults("stories", backend.contextLength()).withPort(0)
                .withTimes(Duration.ofSeconds(60), Duration.ofMillis(50), Duration.ofMillis(500));
        server = SluiceServer.start(config, backend, new AccessLog(line -> { }));
        client = new HttpTestClient(server.port(), null);
    }

    @AfterAll
    void stop() {
        server.stop();
        backend.close();
    }

    @Test
    void healthIs503WhileTheEngineLoopIsFrozen() {
        Engine engine = backend.engine();
        assertThat(client.get("/health").status()).isEqualTo(200);
        try (Engine.Freeze frozen = engine.freezeLoopForTesting()) {
            Eventually.await("/health reports the frozen loop", () -> client.get("/health").status() == 503);
            assertThat(client.get("/ready").status()).as("ready is about draining, not liveness").isEqualTo(200);
        }
        Eventually.await("/health recovers", () -> client.get("/health").status() == 200);
    }

    @Test
    void streamedClientThatHangsUpIsCancelledAndItsKvBlocksFreed() throws Exception {
        long aborted = aborted();
        client.postAndHangUp(server.port(), "/v1/completions", LONG + ",\"stream\":true}", "data: ");
        awaitCancelledAndFreed(aborted);
    }

    @Test
    void wholeResponseClientThatHangsUpIsCancelledAndItsKvBlocksFreed() throws Exception {
        long aborted = aborted();
        client.postAndHangUp(server.port(), "/v1/completions", LONG + "}", null);
        awaitCancelledAndFreed(aborted);
    }

    private void awaitCancelledAndFreed(long abortedBefore) {
        EngineMetrics m = backend.engine().metrics();
        Eventually.await("the 4 sequences are cancelled", () -> aborted() >= abortedBefore + 4);
        Eventually.await("the engine holds no sequence and no KV block",
                () -> m.runningRequests() == 0 && m.waitingRequests() == 0 && m.kvCacheUsage() == 0.0);
        assertThat(m.finishedByReason().getOrDefault("length", 0L)).as("none ran to its end").isZero();
    }

    private long aborted() {
        return backend.engine().metrics().finishedByReason().getOrDefault("abort", 0L);
    }
}
