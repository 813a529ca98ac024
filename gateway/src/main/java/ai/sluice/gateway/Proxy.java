package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;
import ai.sluice.wire.Sse;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Forwards one client request to a replica and its answer back. Before the first byte reached the client, any
 * failure (refused, reset, 5xx, timeout, garbage) is retried on another replica within the retry budget, with
 * jittered backoff. Streams go through {@link StreamRelay}, which also resumes a stream a replica dropped.
 */
final class Proxy {
    private static final long MAX_BODY = 32L << 20;

    private final GatewayConfig config;
    private final Pools pools;
    private final RetryBudget budget;
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final ReplicaPicker picker;
    private final Upstreams upstreams;
    private final StreamRelay relay;
    private final RoutePolicy routes;
    private final KeyLimits limits;
    private final ObjectMapper json = new ObjectMapper();

    Proxy(GatewayConfig config, Upstreams upstreams, Pools pools, RoutePolicy routes, KeyLimits limits,
          ReplicaPicker picker, RetryBudget budget, GatewayMetrics metrics, AccessLog accessLog) {
        this.config = config;
        this.pools = pools;
        this.routes = routes;
        this.limits = limits;
        this.budget = budget;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.picker = picker;
        this.upstreams = upstreams;
        this.relay = new StreamRelay(config, picker, upstreams, metrics);
    }

    /** POST /v1/completions, /v1/chat/completions, /v1/embeddings, /tokenize, /detokenize. */
    void forward(ServerRequest req, ServerResponse res, boolean affinity) {
        Exchange x = new Exchange(req.prologue().method().text(), req.path().path());
        x.affinity = affinity;
        x.authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        try {
            serve(req, res, x);
        } catch (Refused r) {
            ClientReply.error(res, x, r.status, r.error, r.retryAfter);
        } catch (ClientGone gone) {
            x.status = 499;
            x.error = "client disconnected";
        } finally {
            finish(x);
        }
    }

    private void serve(ServerRequest req, ServerResponse res, Exchange x) {
        if (config.auth().checksKeys() && !config.auth().accepts(x.authorization)) {
            ClientReply.error(res, x, 401, OpenAiError.of("invalid_request_error", "invalid_api_key",
                    "Incorrect or missing API key: send 'Authorization: Bearer <key>'."), 0);
            return;
        }
        x.key = routes.identify(x.authorization);
        limits.admit(x.key); // 429 before the body is even read
        try {
            x.body = readBody(req);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        if (x.body == null) {
            ClientReply.error(res, x, 413, OpenAiError.of("invalid_request_error", "request_too_large",
                    "the request body is larger than the limit of " + MAX_BODY + " bytes"), 0);
            return;
        }
        try {
            x.request = json.readTree(x.body);
        } catch (IOException e) {
            x.request = null;
        }
        if (x.request == null || !x.request.isObject()) {
            ClientReply.error(res, x, 400, OpenAiError.of("invalid_request_error", null,
                    "the request body must be a JSON object"), 0);
            return;
        }
        x.model = x.request.path("model").isTextual() ? x.request.get("model").asText() : null;
        x.affinityKey = x.affinity ? AffinityKey.of(x.request, config.affinityPrefixChars()) : null;
        x.route = routes.route(x.key, req.headers().first(HeaderNames.create(RoutePolicy.HEADER)).orElse(null));
        if (x.model != null && !pools.mayServe(x.model)) {
            ClientReply.error(res, x, 404, new OpenAiError(new OpenAiError.Detail("The model `" + x.model
                    + "` does not exist.", "invalid_request_error", "model", "model_not_found")), 0);
            return;
        }
        budget.onRequest();
        AttemptFailed last = null;
        boolean freeRetry = false;
        while (x.attempts < config.maxAttempts()) {
            if (x.attempts > 0 && !freeRetry) {
                if (!budget.tryRetry()) {
                    break;
                }
                metrics.retried();
                x.retries++;
                backoff(x.attempts);
            }
            Replica r = picker.acquire(x);
            if (r == null) {
                break;
            }
            x.attempts++;
            freeRetry = false;
            try {
                attempt(r, x, res);
                return;
            } catch (AttemptFailed f) {
                last = f;
                if (f.stale && x.staleRetries < 2) {
                    // a kept-alive connection the replica had already closed: the request never reached it, so
                    // sending it again (on a fresh connection, maybe the same replica) costs no attempt or budget
                    x.staleRetries++;
                    x.attempts--;
                    x.tried.remove(r);
                    freeRetry = true;
                }
            }
        }
        if (last == null) {
            long retryAfter = picker.retryAfterSeconds();
            ClientReply.error(res, x, 503, OpenAiError.of("service_unavailable", "no_replica",
                    noPoolCanServe(x) + "; retry in " + retryAfter + " s (the Retry-After header)"), retryAfter);
        } else if ((last.status >= 500 || last.status == 429) && OpenAiError.messageOf(json, new String(last.body, StandardCharsets.UTF_8)) != null) {
            // the replicas said why (draining, overloaded, failed): pass their own error on
            x.error = last.getMessage();
            ClientReply.sendHeaders(res, x, last.status, "application/json");
            res.send(last.body);
        } else {
            ClientReply.error(res, x, 502, OpenAiError.of("server_error", "bad_gateway",
                    "no replica could answer this request: " + last.getMessage()), 0);
        }
    }

    /** Why no allowed pool took the request, naming the class, the pools it allows and each one's reason. */
    private static String noPoolCanServe(Exchange x) {
        Route route = x.route;
        if (route.dataClass() == null && route.allowed().size() == 1) {
            return "no replica is ready to serve this request" + (x.poolWhy == null || x.poolWhy.isEmpty() ? ""
                    : " (" + x.poolWhy + ")"); // the plain gateway, one pool: as before pools existed
        }
        return "no pool that " + route.describeClass() + " allows can serve this request (allowed, in order: "
                + String.join(", ", route.allowedNames())
                + (route.excluded().isEmpty() ? "" : "; never used for this class: " + String.join(", ", route.excluded()))
                + "): " + x.poolWhy;
    }

    /** Full jitter: a random wait up to 10 ms doubled per attempt, at most 200 ms. */
    private static void backoff(int attempt) {
        long cap = Math.min(200, 10L << Math.min(5, attempt));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One try on {@code r}; returns when the client has its answer, throws when another replica should try. */
    private void attempt(Replica r, Exchange x, ServerResponse res) throws AttemptFailed {
        x.tried.add(r);
        x.served = r;
        r.begin();
        long start = System.nanoTime();
        Upstream up = null;
        x.attemptStart = start;
        try {
            // a replica that speaks the resume wire is asked for token ids, so a drop can be continued after them
            boolean tokenIds = config.resume() && r.resumeWire() && ResumeWire.resumable(x);
            up = tokenIds ? upstreams.open(r, x, ResumeWire.askingForTokenIds(x.request)) : upstreams.open(r, x);
            x.upstreamNanos = System.nanoTime() - start;
            // a provider's 429 (its rate limit, or its quota) is a reason to try the next allowed pool, as a 5xx is
            if (up.status() >= 500 || up.status() == 429 && x.pool != null && x.pool.external()) {
                byte[] err = up.body().readAll(config.streamStallTimeout());
                throw new AttemptFailed(r + " answered " + up.status() + ": " + IoFailures.abbreviate(err), false,
                        up.status(), err);
            }
            if (up.status() == 200 && up.contentType().startsWith(Sse.CONTENT_TYPE)) {
                relay.relay(r, x, res, up, start, tokenIds);
            } else {
                byte[] body = up.body().readAll(config.streamStallTimeout());
                x.upstreamNanos = System.nanoTime() - start; // a replica may send headers before it has the answer
                if (up.status() == 200 && !readUsage(body, x)) {
                    throw new AttemptFailed(r + " answered 200 with a body that is not JSON: "
                            + IoFailures.abbreviate(body), false, 502, body);
                }
                ClientReply.sendHeaders(res, x, up.status(), up.contentType());
                r.onSuccess(System.nanoTime() - start);
                x.status = up.status();
                ClientReply.send(res, body);
            }
        } catch (AttemptFailed f) {
            x.served = null;
            f.blame(r, start);
            throw f;
        } catch (IOException e) {
            x.served = null;
            AttemptFailed f = new AttemptFailed(r + ": " + IoFailures.describe(e), IoFailures.isRefused(e), 0, new byte[0]);
            if (up == null && IoFailures.isStale(e) && x.staleRetries < 2) {
                f.stale = true; // no verdict on the replica: its breaker and ejection count stay as they are
            } else {
                f.blame(r, start);
            }
            throw f;
        } catch (ClientGone gone) {
            r.onSuccess(System.nanoTime() - start); // the replica did nothing wrong
            throw gone;
        } catch (Refused refused) {
            // the request cannot be put in this provider's wire (AnthropicMessages): no verdict on the provider,
            // and its breaker gets its call back
            x.served = null;
            r.onSuccess(System.nanoTime() - start);
            throw refused;
        } finally {
            if (up != null) {
                up.close();
            }
            r.end();
        }
    }

    private void finish(Exchange x) {
        metrics.answered(x.status);
        String keyName = x.key == null ? RoutePolicy.ANONYMOUS : x.key.name();
        if (x.pool != null && x.served != null) {
            metrics.routed(x.pool.name(), x.poolReason);
            if (x.status == 200) {
                x.pool.served(System.nanoTime() - x.attemptStart);
            }
            if (x.promptTokens >= 0) {
                long in = x.promptTokens;
                long out = Math.max(0, x.completionTokens);
                double dollars = x.pool.spec.prices().dollars(in, out);
                metrics.used(x.pool.name(), keyName, in, out, dollars);
                limits.charge(x.key, in + out, dollars);
            }
        }
        if (x.addedNanos >= 0) {
            metrics.added(x.addedNanos);
        }
        if (x.served != null && x.tried.size() > 1 && x.resumes == 0 && x.status < 500) {
            metrics.failedOver();
        }
        accessLog.log(new AccessLog.Entry(x.method, x.path, x.model, x.status, x.pool == null ? null : x.pool.name(),
                x.key == null ? null : x.key.name(), x.served == null ? null : x.served.name(), x.retries, x.resumes,
                x.addedNanos < 0 ? 0 : x.addedNanos / 1e6, (System.nanoTime() - x.arrival) / 1e6, x.error));
    }

    /** Whether {@code body} is JSON; its {@code usage}, when it has one, goes to {@code x} for the cost counters. */
    private boolean readUsage(byte[] body, Exchange x) {
        try {
            var node = json.readTree(body);
            if (node == null) {
                return false;
            }
            var usage = node.path("usage");
            if (usage.isObject()) {
                x.promptTokens = usage.path("prompt_tokens").asLong(0);
                x.completionTokens = usage.path("completion_tokens").asLong(0);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] readBody(ServerRequest req) throws IOException {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes((int) MAX_BODY + 1);
            return bytes.length > MAX_BODY ? null : bytes;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
