package ai.sluice.server.http;

import ai.sluice.server.ServerConfig;
import ai.sluice.server.api.ApiException;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.server.chat.ChatTemplate;
import ai.sluice.server.chat.ChatTemplateException;
import ai.sluice.server.generate.GenerationExchange;
import ai.sluice.server.metrics.ServerMetrics;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The routing table and the gate in front of it: CORS, authentication, drain, body limit, a hung
 * engine, in-flight count and the access log. {@code /health}, {@code /ready} and {@code /metrics}
 * pass the gate untouched (probes and scrapers carry no keys and must work while draining).
 */
public final class Routes {
    private static final System.Logger LOG = System.getLogger("ai.sluice.server");
    private static final Set<String> OPEN_PATHS = Set.of("/health", "/ready", "/metrics");
    /** Paths whose work needs the engine loop: refused at once while it is hung. */
    private static final Set<String> ENGINE_PATHS = Set.of("/v1/completions", "/v1/chat/completions",
            "/completions", "/chat/completions", "/v1/embeddings", "/embeddings");
    private static final HeaderName X_API_KEY = HeaderNames.create("X-Api-Key");

    private final ServerConfig config;
    private final ServedModel servedModel;
    private final ServerMetrics metrics;
    private final AccessLog accessLog;
    private final ApiKeys keys;
    private final Cors cors;
    private final OpenAiEndpoints api;
    private final EmbeddingsEndpoint embeddings;
    /** Each routed path's method ({@link #route}), for the 405s of {@link #unrouted}. */
    private final Map<String, String> methodByPath = new LinkedHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object idle = new Object();
    private volatile boolean draining;

    public Routes(ServerConfig config, ServedModel servedModel, ChatTemplate template, GenerationExchange exchange,
                  ServerMetrics metrics, AccessLog accessLog) {
        this.config = config;
        this.servedModel = servedModel;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.keys = new ApiKeys(config.apiKeys());
        this.cors = new Cors(config.allowedOrigins());
        this.api = new OpenAiEndpoints(config, servedModel, template, exchange);
        this.embeddings = new EmbeddingsEndpoint(config, servedModel);
    }

    public void register(HttpRouting.Builder r) {
        r.addFilter(this::gate);
        route(r, Method.GET, "/health", this::health);
        route(r, Method.GET, "/ready", this::ready);
        route(r, Method.GET, "/metrics", this::metrics);
        route(r, Method.GET, "/version", handled(api::version));
        // each OpenAI path also without /v1, as llama-server serves them: its clients call those
        for (String v : new String[] {"/v1", ""}) {
            route(r, Method.GET, v + "/models", handled(api::models));
            route(r, Method.GET, v + "/models/{id}", handled(api::model));
            route(r, Method.POST, v + "/completions", generating(api::completions));
            route(r, Method.POST, v + "/chat/completions", generating(api::chat));
            route(r, Method.POST, v + "/embeddings", generating(embeddings::embeddings));
        }
        route(r, Method.POST, "/tokenize", handled(api::tokenize));
        route(r, Method.POST, "/detokenize", handled(api::detokenize));
        if (config.faultInjection()) {
            route(r, Method.POST, "/debug/freeze-engine", handled(new FaultInjection(servedModel)::freezeEngine));
        }
        r.any(this::unrouted);
        // the last resort, for what escapes the endpoints' own handling (the gate, the probes)
        for (Class<? extends Throwable> c : ANSWERABLE) {
            r.error(c, this::lastResort);
        }
    }

    /**
     * What a request may throw that the server answers with a JSON 500 and then keeps serving: runtime
     * exceptions, and the errors that leave the JVM sound once the throwing thread's stack is unwound:
     * StackOverflowError (deep recursion on request input), LinkageError (a class that failed to load or
     * initialise) and AssertionError. Other VirtualMachineErrors (OutOfMemoryError, InternalError,
     * UnknownError) say the JVM itself may be broken: answering would hide that, so they go on to
     * the web server's own handling, which logs them and closes the connection.
     */
    private static final List<Class<? extends Throwable>> ANSWERABLE = List.of(RuntimeException.class,
            StackOverflowError.class, LinkageError.class, AssertionError.class);

    private void lastResort(ServerRequest req, ServerResponse res, Throwable t) {
        LOG.log(Level.ERROR, "request failed", t);
        ApiException e = internalError(t);
        req.context().get(RequestInfo.class).ifPresentOrElse(info -> reply(res, info, e), () -> {
            if (!res.isSent()) {
                HttpIo.error(res, e);
            }
        });
    }

    /** A 500 that names what went wrong, never with a stack trace (the log has it). */
    private static ApiException internalError(Throwable t) {
        // an Error's message (a class name, a recursion's frame) is internal detail; an exception's says what failed
        String detail = t instanceof RuntimeException && t.getMessage() != null ? ": " + t.getMessage() : "";
        return new ApiException(500, "server_error", null, null,
                "internal error: " + t.getClass().getSimpleName() + detail);
    }

    /** Registers a route and remembers its method for {@link #unrouted}'s 405s. */
    private void route(HttpRouting.Builder r, Method method, String path, io.helidon.webserver.http.Handler handler) {
        // a trailing path parameter ("/v1/models/{id}") is remembered as its prefix ("/v1/models/")
        methodByPath.put(path.replaceFirst("\\{[^/]+}$", ""), method.text());
        r.route(method, path, handler);
    }

    /**
     * Whatever no route above took: an OpenAI-style JSON error, not the web server's plain-text
     * page, so a client that parses {@code error.message} can show it. A known path asked with
     * another method is a 405 naming the allowed one (an {@code Allow} header too), the rest a 404.
     */
    private void unrouted(ServerRequest req, ServerResponse res) {
        String method = req.prologue().method().text();
        String path = req.path().path();
        String allowed = allowedMethod(path);
        ApiException e;
        if (allowed != null) {
            res.header(HeaderNames.ALLOW, allowed);
            e = new ApiException(405, "invalid_request_error", null, "method_not_allowed",
                    "Method " + method + " is not allowed on " + path + "; use " + allowed + ".");
        } else {
            e = new ApiException(404, "invalid_request_error", null, "not_found",
                    "Invalid URL (" + method + " " + path + ").");
        }
        // the open paths (probes) pass the gate without a RequestInfo
        req.context().get(RequestInfo.class).ifPresentOrElse(info -> fail(res, info, e), () -> HttpIo.error(res, e));
    }

    /** The one method a routed path answers, or null where the path is not routed at all. */
    private String allowedMethod(String path) {
        String exact = methodByPath.get(path);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, String> e : methodByPath.entrySet()) {
            String prefix = e.getKey();
            if (prefix.endsWith("/") && path.startsWith(prefix) && path.length() > prefix.length()
                    && path.indexOf('/', prefix.length()) < 0) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Ready for traffic: not draining, and the engine loop is alive (a hung loop would hold every request). */
    public boolean isReady() {
        return !draining && !engineStalled();
    }

    private long heartbeatAgeNanos() {
        return System.nanoTime() - servedModel.heartbeatNanos();
    }

    private boolean engineStalled() {
        return heartbeatAgeNanos() >= config.healthStaleAfter().toNanos();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void beginDrain() {
        draining = true;
    }

    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    private void gate(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (cors.handle(req, res)) {
            return; // a preflight, answered
        }
        if (OPEN_PATHS.contains(path)) {
            chain.proceed();
            return;
        }
        long arrival = System.nanoTime();
        RequestInfo info = new RequestInfo();
        req.context().register(info);
        inFlight.incrementAndGet();
        try {
            if (draining) {
                fail(res, info, new ApiException(503, "service_unavailable", null, "draining",
                        "the server is shutting down and takes no new requests"));
            } else if (keys.enabled() && allowedMethod(path) != null
                    && !keys.accepts(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null),
                    req.headers().first(X_API_KEY).orElse(null))) {
                // unknown paths skip this: a probe of /version or /api/tags deserves its 404, not a 401
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
                fail(res, info, new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                        "Incorrect or missing API key: send 'Authorization: Bearer <key>' (or 'X-Api-Key: <key>')."));
            } else if (req.headers().contentLength().orElse(0) > config.maxBodyBytes()) {
                fail(res, info, HttpIo.tooLarge(config.maxBodyBytes()));
            } else if (ENGINE_PATHS.contains(path) && engineStalled()) {
                long retry = Math.max(1, config.healthStaleAfter().toSeconds());
                fail(res, info, new ApiException(503, "service_unavailable", null, "engine_unavailable",
                        "the engine loop has not progressed for " + heartbeatAgeNanos() / 1_000_000
                                + " ms; retry in " + retry + " s (the Retry-After header) or on another replica")
                        .withRetryAfter(retry));
            } else {
                chain.proceed();
            }
        } finally {
            if (inFlight.decrementAndGet() == 0) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
            int status = info.status != 0 ? info.status : res.status().code();
            double ms = (System.nanoTime() - arrival) / 1e6;
            accessLog.log(new AccessLog.Entry(info.id, req.prologue().method().text(), path, info.model, status,
                    info.promptTokens, info.outputTokens, info.ttftNanos < 0 ? -1 : info.ttftNanos / 1e6, ms,
                    info.finishReason, info.error));
        }
    }

    private static void fail(ServerResponse res, RequestInfo info, ApiException e) {
        info.status = e.status();
        info.error = e.getMessage();
        HttpIo.error(res, e);
    }

    private void health(ServerRequest req, ServerResponse res) {
        long ageNanos = heartbeatAgeNanos();
        boolean alive = ageNanos < config.healthStaleAfter().toNanos();
        HttpIo.json(res, alive ? 200 : 503, Map.of("status", alive ? "ok" : "engine loop stalled",
                "heartbeat_age_ms", ageNanos / 1_000_000));
    }

    private void ready(ServerRequest req, ServerResponse res) {
        boolean stalled = engineStalled();
        boolean ready = !draining && !stalled;
        String status = draining ? "draining" : stalled ? "engine loop stalled" : "ok";
        HttpIo.json(res, ready ? 200 : 503, Map.of("ready", ready, "status", status, "model", config.servedModelName()));
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        try {
            metrics.scrape(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        res.header(HeaderNames.CONTENT_TYPE, metrics.contentType());
        res.send(out.toByteArray());
    }

    @FunctionalInterface
    private interface Endpoint {
        void handle(ServerRequest req, ServerResponse res);
    }

    @FunctionalInterface
    private interface GeneratingEndpoint {
        void handle(ServerRequest req, ServerResponse res, RequestInfo info, long arrivalNanos);
    }

    private io.helidon.webserver.http.Handler handled(Endpoint e) {
        return generating((req, res, info, arrival) -> e.handle(req, res));
    }

    /** Runs an endpoint and turns every failure into an OpenAI-style error (unless bytes were already sent). */
    private io.helidon.webserver.http.Handler generating(GeneratingEndpoint e) {
        return (req, res) -> {
            RequestInfo info = req.context().get(RequestInfo.class).orElseGet(RequestInfo::new);
            long arrival = System.nanoTime();
            try {
                e.handle(req, res, info, arrival);
            } catch (ApiException ex) {
                reply(res, info, ex);
            } catch (ChatTemplateException ex) {
                reply(res, info, ApiException.invalid("messages", ex.getMessage()));
            } catch (UncheckedIOException ex) {
                info.status = 499;
                info.error = "client disconnected while sending the request";
            } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError ex) { // see ANSWERABLE
                LOG.log(Level.ERROR, "request failed", ex);
                reply(res, info, internalError(ex));
            }
        };
    }

    private static void reply(ServerResponse res, RequestInfo info, ApiException e) {
        info.status = e.status();
        info.error = e.getMessage();
        if (!res.isSent()) {
            HttpIo.error(res, e);
        }
    }
}
