package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One OpenAI-compatible endpoint over many replicas. Proxies the OpenAI routes to a replica picked by
 * {@link Router}, watched by {@link Prober}; serves its own {@code /health}, {@code /ready} (a replica is ready)
 * and {@code /metrics}.
 */
public final class Gateway implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("ai.sluice.gateway");

    private final GatewayConfig config;
    private final Discovery discovery;
    private final Router router;
    private final Prober prober;
    private final GatewayMetrics metrics;
    private final ExecutorService clientThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private final Fleet fleet;
    private final Proxy proxy;
    private final WebServer server;

    private Gateway(GatewayConfig config, AccessLog accessLog, Discovery.Resolver resolver) {
        this.config = config;
        this.discovery = new Discovery(config.backends(), resolver);
        List<Replica> rs = new ArrayList<>();
        for (URI b : discovery.resolve()) {
            rs.add(new Replica(b, config));
        }
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(min(config.firstByteTimeout(), Duration.ofSeconds(2)))
                .executor(clientThreads)
                .build();
        this.fleet = new Fleet(rs);
        this.prober = new Prober(config, http, fleet::all);
        this.router = new Router(config.affinityLoadFactor());
        router.replicas(fleet.all());
        this.metrics = new GatewayMetrics(fleet::all);
        this.proxy = new Proxy(config, http, fleet, router,
                new RetryBudget(config.retryBudgetRatio(), config.retryBudgetMinPerSec()), metrics, accessLog);
        this.server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                .routing(this::routes)
                .build();
    }

    /** Starts listening and probing; the replicas take requests once their first health check passes. */
    public static Gateway start(GatewayConfig config, AccessLog accessLog) {
        return start(config, accessLog, Discovery.DNS);
    }

    static Gateway start(GatewayConfig config, AccessLog accessLog, Discovery.Resolver resolver) {
        if (config.backends().isEmpty()) {
            throw new GatewayException("no backends: give at least one replica URL (--backend or backends:)");
        }
        checkBindable(config);
        Gateway g = new Gateway(config, accessLog, resolver);
        g.prober.every(config.resolveInterval(), g::rediscover);
        g.prober.start();
        g.server.start();
        if (!g.server.isRunning() || g.server.port() <= 0) {
            g.close();
            throw new GatewayException("cannot listen on " + config.host() + ":" + config.port());
        }
        return g;
    }

    private static void checkBindable(GatewayConfig config) {
        if (config.port() == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(config.host(), config.port()));
        } catch (IOException e) {
            throw new GatewayException("cannot listen on " + config.host() + ":" + config.port()
                    + ": the port is in use or the address is not this host's (" + e.getMessage() + ")");
        }
    }

    /** Resolves the backend names again; replicas that joined or left change the fleet and the hash ring. */
    private void rediscover() {
        try {
            List<URI> now = discovery.resolve();
            if (fleet.update(now, u -> new Replica(u, config))) {
                router.replicas(fleet.all());
                LOG.log(System.Logger.Level.INFO, "replicas now " + now);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "re-resolving the replicas failed: " + e);
        }
    }

    private void routes(HttpRouting.Builder r) {
        r.get("/health", (req, res) -> json(res, 200, "{\"status\":\"ok\"}"));
        r.get("/ready", this::ready);
        r.get("/metrics", this::metrics);
        r.get("/v1/models", proxy::models);
        r.get("/v1/models/{id}", proxy::model);
        r.post("/v1/completions", (req, res) -> proxy.forward(req, res, true));
        r.post("/v1/chat/completions", (req, res) -> proxy.forward(req, res, true));
        r.post("/v1/embeddings", (req, res) -> proxy.forward(req, res, false));
        r.post("/tokenize", (req, res) -> proxy.forward(req, res, false));
        r.post("/detokenize", (req, res) -> proxy.forward(req, res, false));
        r.any((req, res) -> {
            res.status(404);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(OpenAiError.of("invalid_request_error", "not_found", "Invalid URL ("
                    + req.prologue().method().text() + " " + req.path().path() + ").").toJson());
        });
    }

    private void ready(ServerRequest req, ServerResponse res) {
        long now = System.nanoTime();
        List<Replica> all = fleet.all();
        long up = all.stream().filter(r -> r.routable(now)).count();
        json(res, up > 0 ? 200 : 503, "{\"ready\":" + (up > 0) + ",\"replicas_up\":" + up
                + ",\"replicas\":" + all.size() + "}");
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            metrics.scrape(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        res.header(HeaderNames.CONTENT_TYPE, metrics.contentType());
        res.send(out.toByteArray());
    }

    private static void json(ServerResponse res, int status, String body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.getBytes(StandardCharsets.UTF_8));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    public int port() {
        return server.port();
    }

    public GatewayConfig config() {
        return config;
    }

    /** The replicas and their state (for tests and the CLI's start line). */
    public List<Replica> replicas() {
        return fleet.all();
    }

    @Override
    public void close() {
        prober.close();
        server.stop();
        http.close();
        clientThreads.shutdownNow();
    }
}
