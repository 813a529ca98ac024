package ai.sluice.server;

import ai.sluice.server.backend.InferenceBackend;

import java.time.Duration;

/** The backend and settings client tests run against. */
public final class TestServers {
    private TestServers() {
    }

    public static InferenceBackend backend() {
        return new ScriptedBackend(TestData.stories260K(), 512, 2);
    }

    public static ServerConfig config(InferenceBackend backend) {
        return ServerConfig.defaults("stories", backend.contextLength()).withPort(0)
                .withTimes(Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofSeconds(5));
    }
}
