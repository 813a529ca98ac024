package ai.sluice.server;

import ai.sluice.server.backend.InferenceBackend;

import java.time.Duration;

/** The backend and settings client tests run against. */
public final class TestServers {
    private TestServers() {
    }

    /** The real engine on stories260K. */
    public static InferenceBackend backend() {
        return new StoriesEngine(16);
    }

    public static ServerConfig config(InferenceBackend backend) {
        return ServerConfig.defaults("stories", backend.contextLength()).withPort(0)
                .withTimes(Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofSeconds(5));
    }
}
