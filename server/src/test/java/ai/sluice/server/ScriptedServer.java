package ai.sluice.server;

import ai.sluice.server.http.AccessLog;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A server over a {@link ScriptedModel} on a free port, with its access log kept for assertions. */
public final class ScriptedServer implements AutoCloseable {
    public final ScriptedModel servedModel;
    public final SluiceServer server;
    public final List<String> accessLines = new CopyOnWriteArrayList<>();

    private ScriptedServer(ServerConfig config, int contextLength, long stepMillis) {
        this.servedModel = new ScriptedModel(TestData.stories260K(), contextLength, stepMillis);
        this.server = SluiceServer.start(config, servedModel, new AccessLog(accessLines::add));
    }

    /** Defaults for tests: any port, 30 s timeout, pings every {@code ping}, health stale after 500 ms. */
    public static ServerConfig config(int contextLength, Duration ping) {
        return ServerConfig.defaults("stories", contextLength).withPort(0)
                .withTimes(Duration.ofSeconds(30), ping, Duration.ofMillis(500));
    }

    public static ScriptedServer start(ServerConfig config, int contextLength, long stepMillis) {
        return new ScriptedServer(config, contextLength, stepMillis);
    }

    public HttpTestClient client(String key) {
        return new HttpTestClient(server.port(), key);
    }

    @Override
    public void close() {
        server.stop();
        servedModel.close();
    }
}
