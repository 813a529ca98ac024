package ai.sluice.gateway;

import ai.sluice.wire.CompletionChunk;
import ai.sluice.wire.OpenAiError;
import ai.sluice.wire.Sse;
import ai.sluice.wire.SseParser;
import ai.sluice.wire.WireFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Forwards one client request to a replica and its answer back. Before the first byte reached the client, any
 * failure (refused, reset, 5xx, timeout, garbage) is retried on another replica within the retry budget, with
 * jittered backoff. A stream is relayed event by event as the replica sends it; if the replica drops it midway,
 * {@link #resume} continues it on another replica so the client sees one stream.
 */
final class Proxy {
    static final HeaderName BACKEND = HeaderNames.create("x-sluice-backend");
    static final HeaderName GATEWAY_MS = HeaderNames.create("x-sluice-gateway-ms");
    private static final long MAX_BODY = 32L << 20;

    private final GatewayConfig config;
    private final HttpClient http;
    private final Fleet fleet;
    private final Router router;
    private final RetryBudget budget;
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final ObjectMapper json = new ObjectMapper();

    Proxy(GatewayConfig config, HttpClient http, Fleet fleet, Router router, RetryBudget budget, GatewayMetrics metrics,
          AccessLog accessLog) {
        this.config = config;
        this.http = http;
        this.fleet = fleet;
        this.router = router;
        this.budget = budget;
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    /** What the gateway learns about one client request while serving it (for headers, metrics and the log). */
    private static final class Exchange {
        final long arrival = System.nanoTime();
        final String method;
        final String path;
        final Set<Replica> tried = new HashSet<>();
        byte[] body;
        /** The client's Authorization header: checked against the gateway's keys, or passed on when it has none. */
        String authorization;
        JsonNode request;
        String model;
        String affinityKey;
        boolean affinity;
        Replica served;
        int attempts;
        int staleRetries;
        int retries;
        int resumes;
        /** The replica's share of the wait before the response started (its time to the first bytes). */
        long upstreamNanos;
        long attemptStart;
        long addedNanos = -1;
        int status;
        String error;

        Exchange(String method, String path) {
            this.method = method;
            this.path = path;
        }
    }

    /** Why one attempt failed, and whether that is certain about the replica (nothing listens). */
    private static final class AttemptFailed extends Exception {
        final boolean certain;
        final int status;
        final byte[] body;
        /** The connection closed before any byte of a response: a stale pooled connection, not a verdict on the replica. */
        boolean stale;

        AttemptFailed(String message, boolean certain, int status, byte[] body) {
            super(message, null, false, false);
            this.certain = certain;
            this.status = status;
            this.body = body;
        }
    }

    /** The client went away: stop, and cancel what runs upstream. */
    private static final class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) {
            super("client disconnected", cause, false, false);
        }
    }

    /** POST /v1/completions, /v1/chat/completions, /v1/embeddings, /tokenize, /detokenize. */
    void forward(ServerRequest req, ServerResponse res, boolean affinity) {
        Exchange x = new Exchange(req.prologue().method().text(), req.path().path());
        x.affinity = affinity;
        x.authorization = req.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
        try {
            serve(req, res, x);
        } catch (ClientGone gone) {
            x.status = 499;
            x.error = "client disconnected";
        } finally {
            finish(x);
        }
    }

    private void serve(ServerRequest req, ServerResponse res, Exchange x) {
        if (config.auth().checksKeys() && !config.auth().accepts(x.authorization)) {
            reply(res, x, 401, OpenAiError.of("invalid_request_error", "invalid_api_key",
                    "Incorrect or missing API key: send 'Authorization: Bearer <key>'."), 0);
            return;
        }
        try {
            x.body = readBody(req);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
        if (x.body == null) {
            reply(res, x, 413, OpenAiError.of("invalid_request_error", "request_too_large",
                    "the request body is larger than the limit of " + MAX_BODY + " bytes"), 0);
            return;
        }
        try {
            x.request = json.readTree(x.body);
        } catch (IOException e) {
            x.request = null;
        }
        if (x.request == null || !x.request.isObject()) {
            reply(res, x, 400, OpenAiError.of("invalid_request_error", null,
                    "the request body must be a JSON object"), 0);
            return;
        }
        x.model = x.request.path("model").isTextual() ? x.request.get("model").asText() : null;
        x.affinityKey = x.affinity ? affinityKey(x.request) : null;
        if (x.model != null && fleet.knowsModels() && !fleet.serves(x.model)) {
            reply(res, x, 404, new OpenAiError(new OpenAiError.Detail("The model `" + x.model
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
            Replica r = acquire(x);
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
            reply(res, x, 503, OpenAiError.of("service_unavailable", "no_replica",
                    "no replica is ready to serve this request; retry in " + retryAfterSeconds()
                            + " s (the Retry-After header)"), retryAfterSeconds());
        } else if (last.status >= 500 && OpenAiError.messageOf(json, new String(last.body, StandardCharsets.UTF_8)) != null) {
            // the replicas said why (draining, overloaded, failed): pass their own error on
            x.error = last.getMessage();
            sendHeaders(res, x, last.status, "application/json");
            res.send(last.body);
        } else {
            reply(res, x, 502, OpenAiError.of("server_error", "bad_gateway",
                    "no replica could answer this request: " + last.getMessage()), 0);
        }
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

    private long retryAfterSeconds() {
        return Math.max(1, config.healthInterval().toSeconds() + 1);
    }

    /**
     * A replica for the next attempt. While none is ready at all (all starting, all down) the request is held
     * up to the hold deadline; once replicas were tried and failed, the untried ones are the only choice.
     */
    private Replica acquire(Exchange x) {
        long deadline = x.arrival + config.holdTimeout().toNanos();
        boolean holding = false;
        try {
            while (true) {
                long now = System.nanoTime();
                Replica r = router.pick(fleet.serving(x.model), x.tried, x.affinityKey, now);
                if (r != null) {
                    if (r.tryAcquire()) {
                        return r;
                    }
                    x.tried.add(r); // half-open breaker with its probes taken: not this one now
                    continue;
                }
                if (fleet.anyRoutable(now) || now - deadline >= 0) {
                    return null;
                }
                if (!holding) {
                    holding = true;
                    metrics.held().incrementAndGet();
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (holding) {
                metrics.held().decrementAndGet();
            }
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
            up = open(r, x.path, x.body, x);
            x.upstreamNanos = System.nanoTime() - start;
            if (up.status >= 500) {
                byte[] err = up.body.readAll(config.streamStallTimeout());
                throw new AttemptFailed(r + " answered " + up.status + ": " + abbreviate(err), false, up.status, err);
            }
            if (up.status == 200 && up.contentType.startsWith(Sse.CONTENT_TYPE)) {
                relay(r, x, res, up, start);
            } else {
                byte[] body = up.body.readAll(config.streamStallTimeout());
                x.upstreamNanos = System.nanoTime() - start; // a replica may send headers before it has the answer
                if (up.status == 200 && !isJson(body)) {
                    throw new AttemptFailed(r + " answered 200 with a body that is not JSON: " + abbreviate(body),
                            false, 502, body);
                }
                sendHeaders(res, x, up.status, up.contentType);
                r.onSuccess(System.nanoTime() - start);
                x.status = up.status;
                try {
                    res.send(body);
                } catch (RuntimeException e) {
                    throw new ClientGone(e);
                }
            }
        } catch (AttemptFailed f) {
            x.served = null;
            fail(r, start, f);
            throw f;
        } catch (IOException e) {
            x.served = null;
            AttemptFailed f = new AttemptFailed(r + ": " + describe(e), isRefused(e), 0, new byte[0]);
            if (up == null && isStale(e) && x.staleRetries < 2) {
                f.stale = true; // no verdict on the replica: its breaker and ejection count stay as they are
            } else {
                fail(r, start, f);
            }
            throw f;
        } catch (ClientGone gone) {
            r.onSuccess(System.nanoTime() - start); // the replica did nothing wrong
            throw gone;
        } finally {
            if (up != null) {
                up.close();
            }
            r.end();
        }
    }

    private static void fail(Replica r, long start, AttemptFailed f) {
        r.onFailure(System.nanoTime() - start, f, f.certain);
    }

    /** A replica's answer while it is being read: status, content type and the body as it comes. */
    private record Upstream(int status, String contentType, UpstreamBody body) {
        void close() {
            body.cancel();
        }
    }

    /** Sends the request to {@code r} and waits for its response headers (at most the first-byte timeout). */
    private Upstream open(Replica r, String path, byte[] body, Exchange x) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(r.base().resolve(path))
                .timeout(config.firstByteTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String authorization = config.auth().upstreamHeader(x.authorization);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpRequest request = builder.build();
        UpstreamBody upstreamBody = new UpstreamBody();
        CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> pending =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher());
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
        try {
            response = pending.get();
        } catch (CancellationException e) {
            throw new IOException("cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause == null ? e.getMessage() : cause.toString(), cause);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        response.body().subscribe(upstreamBody);
        String contentType = response.headers().firstValue("content-type").orElse("application/json");
        return new Upstream(response.statusCode(), contentType, upstreamBody);
    }

    /** What was streamed to the client so far: enough to check a resumed stream against it. */
    private static final class StreamState {
        final StringBuilder text = new StringBuilder();
        int choiceEvents;
        String id;
        boolean done;
        boolean headersSent;
        OutputStream out;
    }

    /**
     * Relays a stream event by event: each event the replica sends is written and flushed as it arrives. A first
     * data event is checked before the client sees anything, so a replica that streams garbage is retried like one
     * that refuses. If the replica breaks, stalls or ends without {@code [DONE]} later, the stream is resumed elsewhere.
     */
    private void relay(Replica r, Exchange x, ServerResponse res, Upstream up, long start) throws IOException,
            AttemptFailed {
        StreamState st = new StreamState();
        try {
            pump(r, x, res, up, st, 0);
            r.onSuccess(System.nanoTime() - start);
            x.status = 200;
        } catch (IOException | WireFormatException e) {
            if (!st.headersSent) {
                if (e instanceof WireFormatException w) {
                    throw new AttemptFailed(r + " streamed garbage: " + w.getMessage(), false, 502, new byte[0]);
                }
                throw (IOException) e;
            }
            fail(r, start, new AttemptFailed(r + ": " + (e instanceof IOException io ? describe(io) : e.getMessage()),
                    e instanceof IOException io && isRefused(io), 0, new byte[0]));
            x.status = 200;
            resume(x, res, st, r + " dropped the stream after " + st.choiceEvents + " chunks ("
                    + (e instanceof IOException io ? describe(io) : e.getMessage()) + ")");
        }
    }

    /**
     * Copies events from {@code up} to the client. The first {@code skip} choice events are not sent (a resumed
     * stream replays what the client already has) but checked against what was sent. Returns at {@code [DONE]}.
     */
    private void pump(Replica r, Exchange x, ServerResponse res, Upstream up, StreamState st, int skip)
            throws IOException {
        EventSplitter events = new EventSplitter();
        int skipped = 0;
        StringBuilder replayed = new StringBuilder();
        String resumedId = null;
        for (byte[] piece = up.body.next(config.streamStallTimeout()); piece != null;
             piece = up.body.next(config.streamStallTimeout())) {
            if (!st.headersSent) {
                x.upstreamNanos = System.nanoTime() - x.attemptStart; // until the replica's first event, its own time
            }
            boolean wrote = false;
            for (EventSplitter.Event e : events.feed(piece)) {
                if (e.data() == null) {
                    // a comment (": ping", sent while a request waits in a queue or a long prefill): passed on at
                    // once, so the client knows it is alive and a client that left is noticed by the failed write.
                    // It starts the client's stream: from here a replica that fails is resumed, not retried.
                    startStream(res, x, st);
                    write(st, e.raw());
                    wrote = true;
                    continue;
                }
                if (e.data().equals(Sse.DONE)) {
                    if (skipped < skip) {
                        throw new WireFormatException("the resumed stream ended after " + skipped + " of the "
                                + skip + " chunks already sent");
                    }
                    startStream(res, x, st);
                    write(st, e.raw());
                    flush(st);
                    st.done = true;
                    return;
                }
                CompletionChunk chunk = CompletionChunk.parse(json, e.data());
                byte[] raw = e.raw();
                if (skipped < skip) {
                    if (chunk.hasChoice()) {
                        skipped++;
                        replayed.append(chunk.text());
                        if (skipped == skip && !replayed.toString().contentEquals(st.text)) {
                            throw new Diverged("the replica that resumed the stream produced different text ("
                                    + replayed.length() + " vs " + st.text.length() + " characters)");
                        }
                    }
                    continue;
                }
                if (skip > 0) {
                    raw = withId(e.data(), st.id, raw);
                } else if (resumedId == null && chunk.error() == null) {
                    JsonNode node = json.readTree(e.data());
                    resumedId = node.path("id").asText(null);
                    st.id = resumedId;
                }
                if (chunk.hasChoice()) {
                    st.choiceEvents++;
                    st.text.append(chunk.text());
                }
                startStream(res, x, st);
                write(st, raw);
                wrote = true;
            }
            if (wrote) {
                flush(st);
            }
        }
        if (skipped < skip) {
            throw new IOException("the resumed stream ended after " + skipped + " of the " + skip + " chunks already sent");
        }
        throw new IOException("the stream ended without data: [DONE]");
    }

    /** A resumed stream that does not reproduce what was sent: not resumable (no other replica will do better). */
    private static final class Diverged extends IOException {
        Diverged(String message) {
            super(message);
        }
    }

    /** A resumed stream's chunk with the original stream's id, so the client sees one completion. */
    private byte[] withId(String data, String id, byte[] raw) throws IOException {
        if (id == null) {
            return raw;
        }
        JsonNode node = json.readTree(data);
        if (!(node instanceof ObjectNode o) || !o.has("id")) {
            return raw;
        }
        o.put("id", id);
        return Sse.event(json.writeValueAsString(o));
    }

    /**
     * Continues a dropped stream: the same request again on another replica, whose first chunks must reproduce
     * exactly what the client already has (greedy and seeded sampling are deterministic on Sluice replicas); those
     * are skipped and the rest relayed. A replica whose replay differs, or no replica at all, ends the stream with
     * an OpenAI-style error event and {@code [DONE]}: a clean end, never a hang or a spliced stream.
     */
    private void resume(Exchange x, ServerResponse res, StreamState st, String why) {
        String reason = why;
        boolean resumable = config.resume() && x.request.path("n").asInt(1) == 1;
        while (resumable && x.attempts < config.maxAttempts() + 2) {
            Replica r = acquire(x);
            if (r == null) {
                break;
            }
            x.attempts++;
            x.tried.add(r);
            r.begin();
            long start = System.nanoTime();
            Upstream up = null;
            try {
                up = open(r, x.path, x.body, x);
                if (up.status != 200 || !up.contentType.startsWith(Sse.CONTENT_TYPE)) {
                    throw new IOException(r + " answered " + up.status + " " + up.contentType + " to the resumed request");
                }
                pump(r, x, res, up, st, st.choiceEvents);
                r.onSuccess(System.nanoTime() - start);
                x.resumes++;
                metrics.resumed();
                return;
            } catch (Diverged d) {
                r.onSuccess(System.nanoTime() - start);
                reason = d.getMessage();
                break;
            } catch (IOException | WireFormatException e) {
                fail(r, start, new AttemptFailed(e.getMessage(), e instanceof IOException io && isRefused(io), 0,
                        new byte[0]));
                reason = r + ": " + e.getMessage();
                if (st.done) {
                    return;
                }
            } finally {
                if (up != null) {
                    up.close();
                }
                r.end();
            }
        }
        x.error = "stream ended early: " + reason;
        write(st, OpenAiError.of("server_error", "stream_interrupted",
                "the stream broke and could not be resumed: " + reason).toSseEvent());
        write(st, Sse.done());
        flush(st);
    }

    private void startStream(ServerResponse res, Exchange x, StreamState st) {
        if (st.headersSent) {
            return;
        }
        sendHeaders(res, x, 200, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try {
            st.out = res.outputStream();
        } catch (RuntimeException e) {
            throw new ClientGone(e);
        }
        st.headersSent = true;
    }

    private static void write(StreamState st, byte[] bytes) {
        try {
            st.out.write(bytes);
        } catch (IOException | RuntimeException e) {
            throw new ClientGone(e);
        }
    }

    private static void flush(StreamState st) {
        try {
            st.out.flush();
        } catch (IOException | RuntimeException e) {
            throw new ClientGone(e);
        }
    }

    /** Sets the status and the gateway's headers; the added time is everything but the replica's own. */
    private void sendHeaders(ServerResponse res, Exchange x, int status, String contentType) {
        x.addedNanos = Math.max(0, System.nanoTime() - x.arrival - x.upstreamNanos);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        if (x.served != null) {
            res.header(BACKEND, x.served.name());
        }
        res.header(GATEWAY_MS, String.format(java.util.Locale.ROOT, "%.3f", x.addedNanos / 1e6));
    }

    private void reply(ServerResponse res, Exchange x, int status, OpenAiError error, long retryAfter) {
        x.status = status;
        x.error = error.message();
        if (retryAfter > 0) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(retryAfter));
        }
        sendHeaders(res, x, status, "application/json");
        try {
            res.send(error.toJson());
        } catch (RuntimeException e) {
            throw new ClientGone(e);
        }
    }

    private void finish(Exchange x) {
        metrics.answered(x.status);
        if (x.addedNanos >= 0) {
            metrics.added(x.addedNanos);
        }
        if (x.served != null && x.tried.size() > 1 && x.resumes == 0 && x.status < 500) {
            metrics.failedOver();
        }
        accessLog.log(new AccessLog.Entry(x.method, x.path, x.model, x.status,
                x.served == null ? null : x.served.name(), x.retries, x.resumes,
                x.addedNanos < 0 ? 0 : x.addedNanos / 1e6, (System.nanoTime() - x.arrival) / 1e6, x.error));
    }

    /** The request's {@code user}, else the start of its prompt (completions) or messages (chat). */
    private String affinityKey(JsonNode request) {
        JsonNode user = request.get("user");
        if (user != null && user.isTextual() && !user.asText().isEmpty()) {
            return "user:" + user.asText();
        }
        int limit = config.affinityPrefixChars();
        if (limit == 0) {
            return null;
        }
        StringBuilder key = new StringBuilder();
        JsonNode prompt = request.get("prompt");
        if (prompt != null) {
            key.append(prompt.isTextual() ? prompt.asText() : prompt.toString());
        } else {
            for (JsonNode m : request.path("messages")) {
                key.append(m.path("role").asText()).append(':').append(m.path("content").isTextual()
                        ? m.get("content").asText() : m.path("content").toString()).append('\n');
                if (key.length() >= limit) {
                    break;
                }
            }
        }
        if (key.isEmpty()) {
            return null;
        }
        return key.length() <= limit ? key.toString() : key.substring(0, limit);
    }

    private boolean isJson(byte[] body) {
        try {
            return json.readTree(body) != null;
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

    /** The JDK client's words for a connection that closed before any response byte (typically a stale kept-alive one). */
    private static boolean isStale(IOException e) {
        String m = e.getMessage();
        return e instanceof java.io.EOFException || (m != null && m.contains("received no bytes"));
    }

    private static boolean isRefused(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "timed out (" + e.getMessage() + ")";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static String abbreviate(byte[] body) {
        return CompletionChunk.abbreviate(new String(body, StandardCharsets.UTF_8));
    }

    /** Whether the request may go on; answers 401 when the gateway checks keys and this one has none that fits. */
    private boolean admitted(ServerRequest req, ServerResponse res) {
        if (!config.auth().checksKeys() || config.auth().accepts(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null))) {
            return true;
        }
        res.status(401);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(OpenAiError.of("invalid_request_error", "invalid_api_key",
                "Incorrect or missing API key: send 'Authorization: Bearer <key>'.").toJson());
        return false;
    }

    /** GET /v1/models: the union of the healthy replicas' models, by id. */
    void models(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        var data = out.putArray("data");
        Set<String> seen = new HashSet<>();
        for (JsonNode card : fleet.modelCards()) {
            if (seen.add(card.get("id").asText())) {
                data.add(card);
            }
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** GET /v1/models/{id}. */
    void model(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        for (JsonNode card : fleet.modelCards()) {
            if (card.get("id").asText().equals(id)) {
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(card.toString().getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        res.status(404);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(new OpenAiError(new OpenAiError.Detail("The model `" + id + "` does not exist.",
                "invalid_request_error", "model", "model_not_found")).toJson());
    }
}
