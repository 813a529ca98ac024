package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;
import io.helidon.http.HeaderNames;
import io.helidon.common.socket.SocketOptions;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One OpenAI-compatible endpoint over many replicas. Proxies the OpenAI routes to a replica picked by
 * {@link Router}, watched by {@link Prober}; serves its own {@code /health}, {@code /ready} (a replica is ready)
 * and {@code /metrics}.
 */
public final class Gateway implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("ai.sluice.gateway");

    private final AccessLog accessLog;
    private final Discovery.Resolver resolver;
    private final GatewayMetrics metrics;
    private final KeyLimits keyLimits;
    private final ExecutorService clientThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private final WebServer server;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gateway-config-watch");
        t.setDaemon(true);
        return t;
    });
    /** Everything a config decides; a reload builds a new one and swaps it in (requests in flight keep theirs). */
    private volatile Core core;

    private final class Core {
        final GatewayConfig config;
        final Policy policy;
        final Pools pools;
        final RoutePolicy routes;
        final Prober prober;
        final Proxy proxy;
        final ModelList models;

        /** Builds on {@code previous}'s pools and replicas where they stay (health, breaker and load carry over). */
        Core(GatewayConfig config, Core previous) {
            this.config = config;
            this.policy = config.effectivePolicy();
            this.pools = new Pools(policy, config, resolver, previous == null ? null : previous.pools);
            this.routes = new RoutePolicy(policy, pools);
            this.prober = new Prober(config, http, pools::probed);
            this.proxy = new Proxy(config, new Upstreams(config, http), pools, routes, keyLimits,
                    new ReplicaPicker(config, metrics),
                    new RetryBudget(config.retryBudgetRatio(), config.retryBudgetMinPerSec()), metrics, accessLog);
            this.models = new ModelList(config, pools);
        }

        void start() {
            prober.every(config.resolveInterval(), this::rediscover);
            // spill state follows the scraped queues even while no request comes to ask (so it also comes back)
            prober.every(config.scrapeInterval(), () -> pools.all().forEach(Pool::spilling));
            prober.start();
        }

        /** Resolves the replicas' host names again; replicas that joined or left change the pool and its hash ring. */
        void rediscover() {
            for (Pool p : pools.all()) {
                try {
                    if (p.rediscover()) {
                        LOG.log(System.Logger.Level.INFO, "pool " + p.name() + ": replicas now " + p.fleet.all());
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "re-resolving pool " + p.name() + "'s replicas failed: " + e);
                }
            }
        }
    }

    private Gateway(GatewayConfig config, AccessLog accessLog, Discovery.Resolver resolver) {
        this.accessLog = accessLog;
        this.resolver = resolver;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(min(config.firstByteTimeout(), Duration.ofSeconds(2)))
                .executor(clientThreads)
                .build();
        this.metrics = new GatewayMetrics(() -> core.pools.replicas(), () -> core.pools.all());
        this.keyLimits = new KeyLimits(java.time.Clock.systemUTC(), metrics); // per key name, across reloads
        this.core = new Core(config, null);
        var listener = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                // small writes (SSE events, short JSON answers) go out at once: with Nagle's algorithm a
                // response written in two parts waited for the client's delayed ACK, ~40 ms each time
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .routing(this::routes);
        if (config.tls() != null) {
            listener.tls(config.tls().toHelidon());
        }
        this.server = listener.build();
    }

    /** Starts listening and probing; the replicas take requests once their first health check passes. */
    public static Gateway start(GatewayConfig config, AccessLog accessLog) {
        return start(config, accessLog, Discovery.DNS);
    }

    static Gateway start(GatewayConfig config, AccessLog accessLog, Discovery.Resolver resolver) {
        if (config.policy() == null && config.replicas().isEmpty()) {
            throw new GatewayException("no replicas: give at least one replica URL (--replica or replicas:)");
        }
        checkBindable(config);
        Gateway g = new Gateway(config, accessLog, resolver);
        g.core.start();
        g.server.start();
        if (!g.server.isRunning() || g.server.port() <= 0) {
            g.close();
            throw new GatewayException("cannot listen on " + config.host() + ":" + config.port());
        }
        return g;
    }

    /**
     * Applies a new config without dropping requests: new requests use it at once, requests in flight finish under
     * the old one; replicas whose addresses stay keep their state. The address cannot change without a restart
     * (the old one is kept, and said so).
     */
    public void reload(GatewayConfig next) {
        Core old = core;
        GatewayConfig c = next;
        if (!next.host().equals(old.config.host()) || (next.port() != old.config.port() && next.port() != 0)) {
            LOG.log(System.Logger.Level.WARNING, "host/port changes need a restart; keeping "
                    + old.config.host() + ":" + old.config.port());
            c = next.withAddress(old.config.host(), old.config.port());
        }
        if (!java.util.Objects.equals(String.valueOf(next.tls()), String.valueOf(old.config.tls()))) {
            LOG.log(System.Logger.Level.WARNING, "TLS changes need a restart; keeping " + old.config.scheme());
        }
        c = c.withTls(old.config.tls()); // the listener keeps the certificate it started with
        Core fresh = new Core(c, old);
        fresh.start();
        core = fresh;
        old.prober.close();
        LOG.log(System.Logger.Level.INFO, "config reloaded: replicas " + fresh.pools.replicas());
    }

    /**
     * Reloads {@code file} whenever it changes (checked every {@code period}; {@code load} reads it, e.g.
     * {@link GatewayConfigFile#load} plus the command line's overrides). A file that no longer passes the checks is
     * reported in one line and the running config stays.
     *
     * @return reloads the file now, whether or not it changed (what SIGHUP does); it runs on the watcher's thread,
     * so it never races a reload the watcher started, and returns at once (safe from a signal handler)
     */
    public Runnable watch(Path file, Duration period, java.util.function.Function<Path, GatewayConfig> load,
                          java.util.function.Consumer<String> report) {
        long[] seen = {stamp(file)};
        Runnable reloadFile = () -> {
            seen[0] = stamp(file);
            try {
                reload(load.apply(file));
                report.accept("sluice: gateway config reloaded from " + file);
            } catch (GatewayException e) {
                report.accept("sluice: gateway config not reloaded: " + e.getMessage());
            }
        };
        watcher.scheduleWithFixedDelay(() -> {
            if (stamp(file) != seen[0]) {
                reloadFile.run();
            }
        }, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
        return () -> watcher.execute(reloadFile);
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

    private static long stamp(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis() * 31 + Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private void routes(HttpRouting.Builder r) {
        r.get("/health", (req, res) -> json(res, 200, "{\"status\":\"ok\"}"));
        r.get("/ready", this::ready);
        r.get("/metrics", this::metrics);
        r.get("/v1/models", (req, res) -> core.models.models(req, res));
        r.get("/v1/models/{id}", (req, res) -> core.models.model(req, res));
        r.post("/v1/completions", (req, res) -> core.proxy.forward(req, res, true));
        r.post("/v1/chat/completions", (req, res) -> core.proxy.forward(req, res, true));
        r.post("/v1/embeddings", (req, res) -> core.proxy.forward(req, res, false));
        r.post("/tokenize", (req, res) -> core.proxy.forward(req, res, false));
        r.post("/detokenize", (req, res) -> core.proxy.forward(req, res, false));
        r.any((req, res) -> {
            res.status(404);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(OpenAiError.of("invalid_request_error", "not_found", "Invalid URL ("
                    + req.prologue().method().text() + " " + req.path().path() + ").").toJson());
        });
    }

    private void ready(ServerRequest req, ServerResponse res) {
        long now = System.nanoTime();
        List<Replica> all = core.pools.replicas();
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
        return core.config;
    }

    /** The replicas and their state (for tests and the CLI's start line). */
    public List<Replica> replicas() {
        return core.pools.replicas();
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        core.prober.close();
        server.stop();
        http.close();
        clientThreads.shutdownNow();
    }
}
