package ai.sluice.server;

import ai.sluice.server.serving.ServedModel;
import ai.sluice.server.chat.ChatTemplate;
import ai.sluice.server.generate.GenerationExchange;
import ai.sluice.server.generate.WriteWatchdog;
import ai.sluice.server.http.AccessLog;
import ai.sluice.server.http.Routes;
import ai.sluice.server.metrics.ServerMetrics;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

/**
 * The OpenAI-compatible HTTP server over one model. Start it, serve, then {@link #drain(Duration)}
 * (readiness false, new requests 503, in-flight ones finish) and {@link #stop()}.
 */
public final class SluiceServer implements AutoCloseable {
    private static final int SEND_BUFFER_BYTES = 64 * 1024;
    private final ServerConfig config;
    private final Routes routes;
    private final WebServer server;
    private final WriteWatchdog watchdog;

    private SluiceServer(ServerConfig config, ServedModel servedModel, AccessLog accessLog) {
        this.config = config;
        ChatTemplate template = ChatTemplate.of(servedModel.codec().chatTemplate().orElse(null),
                servedModel.codec().bosToken(), servedModel.codec().eosToken());
        ServerMetrics metrics = new ServerMetrics(config.servedModelName(), servedModel);
        this.watchdog = new WriteWatchdog(config.clientStallTimeout());
        GenerationExchange exchange = new GenerationExchange(servedModel,
                new GenerationExchange.Settings(config.pingInterval(), config.requestTimeout(), config.streamQueueTokens(),
                        config.clientStallTimeout()), watchdog);
        this.routes = new Routes(config, servedModel, template, exchange, metrics, accessLog);
        // A fixed, modest send buffer bounds what a client that stops reading can make the kernel
        // hold for it (autotuning would grow it to megabytes); once it is full, the write blocks and
        // the stall watchdog cuts the client off. TCP_NODELAY: a response goes out as its headers and
        // body (and a stream as one small event per token); with Nagle's algorithm each second small
        // write waited for the client's delayed ACK, ~40 ms (max_tokens 1 took 44 ms end to end, 3.6 ms
        // without it).
        SocketOptions sockets = SocketOptions.builder().socketSendBufferSize(SEND_BUFFER_BYTES).tcpNoDelay(true).build();
        List<String> hosts = config.hosts();
        WebServerConfig.Builder b = WebServer.builder()
                .host(hosts.getFirst())
                .port(config.port())
                // The owner drains on SIGTERM and stops the server itself; Helidon's own hook would
                // close the listener at once and cut the requests still in flight.
                .shutdownHook(false)
                .connectionOptions(sockets)
                .routing(routes::register);
        for (int i = 1; i < hosts.size(); i++) {
            // every further address is one more listener on the same port, with the same routes
            String name = "address-" + i;
            String host = hosts.get(i);
            b.putSocket(name, socket -> socket.host(host).port(config.port()).connectionOptions(sockets))
                    .routing(name, routes::register);
        }
        this.server = b.build();
    }

    /**
     * Starts serving {@code servedModel} (which the caller keeps owning).
     *
     * @throws ServerStartException when the address cannot be bound (Helidon then only logs and
     *         reports port -1; a server that is not listening must not look started)
     */
    public static SluiceServer start(ServerConfig config, ServedModel servedModel, AccessLog accessLog) {
        for (String host : config.hosts()) {
            checkBindable(host, config.port());
        }
        SluiceServer s = new SluiceServer(config, servedModel, accessLog);
        s.server.start();
        if (!s.server.isRunning() || s.server.port() <= 0) {
            s.server.stop();
            throw new ServerStartException("cannot listen on " + config.host() + ":" + config.port()
                    + ": the port is in use by another process or the address is not this host's");
        }
        return s;
    }

    /**
     * Binds and releases the address: the common failure (port taken) then gets one clear line
     * instead of Helidon's logged stack trace, and a caller can check before a long start-up (model
     * load, warm-up) rather than after. The check after start covers the rare race.
     *
     * @throws ServerStartException when {@code host:port} cannot be bound now
     */
    public static void checkBindable(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new ServerStartException("cannot listen on " + host + ":" + port
                    + ": the port is in use by another process or the address is not this host's (" + e.getMessage() + ")");
        }
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.port();
    }

    public ServerConfig config() {
        return config;
    }

    public boolean isReady() {
        return routes.isReady();
    }

    /** Requests being served now. */
    public int inFlight() {
        return routes.inFlight();
    }

    /**
     * Stops taking work (readiness false, new requests 503) and waits up to {@code timeout} for the
     * requests in flight to finish. Returns true when none is left.
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        routes.beginDrain();
        return routes.awaitIdle(timeout);
    }

    public void stop() {
        server.stop();
        watchdog.close();
    }

    @Override
    public void close() {
        stop();
    }
}
