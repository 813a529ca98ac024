package ai.sluice.server;

import ai.sluice.server.serving.ServedModel;

import java.time.Duration;

/** The served model and settings client tests run against. */
public final class TestServers {
    private TestServers() {
    }

    /** The real engine on stories260K. */
    public static StoriesEngine servedModel() {
        return new StoriesEngine(16);
    }

    public static ServerConfig config(ServedModel servedModel) {
        return ServerConfig.defaults("stories", servedModel.contextLength()).withPort(0)
                .withTimes(Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofSeconds(5));
    }
}
