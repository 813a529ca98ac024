package ai.sluice.gateway;

import ai.sluice.wire.CompletionChunk;
import ai.sluice.wire.OpenAiError;
import ai.sluice.wire.Sse;
import ai.sluice.wire.WireFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;

import static ai.sluice.gateway.ClientReply.flush;
import static ai.sluice.gateway.ClientReply.startStream;
import static ai.sluice.gateway.ClientReply.write;

/**
 * Relays a replica's SSE stream to the client event by event, and if the replica drops it midway, {@link #resume}s
 * it on another replica so the client sees one stream.
 */
final class StreamRelay {
    private final GatewayConfig config;
    private final ReplicaPicker picker;
    private final Upstreams upstreams;
    private final GatewayMetrics metrics;
    private final ObjectMapper json = new ObjectMapper();

    StreamRelay(GatewayConfig config, ReplicaPicker picker, Upstreams upstreams, GatewayMetrics metrics) {
        this.config = config;
        this.picker = picker;
        this.upstreams = upstreams;
        this.metrics = metrics;
    }

    /**
     * Relays a stream event by event: each event the replica sends is written and flushed as it arrives. A first
     * data event is checked before the client sees anything, so a replica that streams garbage is retried like one
     * that refuses (this throws). If the replica breaks, stalls or ends without {@code [DONE]} later, the stream is
     * resumed elsewhere.
     */
    void relay(Replica r, Exchange x, ServerResponse res, Upstream up, long start) throws IOException, AttemptFailed {
        StreamState st = new StreamState();
        try {
            pump(x, res, up, st, 0);
            r.onSuccess(System.nanoTime() - start);
            x.status = 200;
        } catch (IOException | WireFormatException e) {
            if (!st.headersSent) {
                if (e instanceof WireFormatException w) {
                    throw new AttemptFailed(r + " streamed garbage: " + w.getMessage(), false, 502, new byte[0]);
                }
                throw (IOException) e;
            }
            String why = e instanceof IOException io ? IoFailures.describe(io) : e.getMessage();
            new AttemptFailed(r + ": " + why, e instanceof IOException io && IoFailures.isRefused(io), 0, new byte[0])
                    .blame(r, start);
            x.status = 200;
            resume(x, res, st, r + " dropped the stream after " + st.choiceEvents + " chunks (" + why + ")");
        }
    }

    /**
     * Copies events from {@code up} to the client. The first {@code skip} choice events are not sent (a resumed
     * stream replays what the client already has) but checked against what was sent. Returns at {@code [DONE]}.
     */
    private void pump(Exchange x, ServerResponse res, Upstream up, StreamState st, int skip) throws IOException {
        EventSplitter events = new EventSplitter();
        int skipped = 0;
        StringBuilder replayed = new StringBuilder();
        String resumedId = null;
        for (byte[] piece = up.body().next(config.streamStallTimeout()); piece != null;
             piece = up.body().next(config.streamStallTimeout())) {
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
                // --- usage for the cost counters (pools): read, and not passed on when only the gateway asked
                if (chunk.hasUsage()) {
                    x.usage(chunk.promptTokens(), chunk.completionTokens());
                    if (x.hideUsage && !chunk.hasChoice()) {
                        continue;
                    }
                }
                // ---
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
            Replica r = picker.acquire(x);
            if (r == null) {
                break;
            }
            x.attempts++;
            x.tried.add(r);
            r.begin();
            long start = System.nanoTime();
            Upstream up = null;
            try {
                up = upstreams.open(r, x);
                if (up.status() != 200 || !up.contentType().startsWith(Sse.CONTENT_TYPE)) {
                    throw new IOException(r + " answered " + up.status() + " " + up.contentType()
                            + " to the resumed request");
                }
                pump(x, res, up, st, st.choiceEvents);
                r.onSuccess(System.nanoTime() - start);
                x.resumes++;
                metrics.resumed();
                return;
            } catch (Diverged d) {
                r.onSuccess(System.nanoTime() - start);
                reason = d.getMessage();
                break;
            } catch (IOException | WireFormatException e) {
                new AttemptFailed(e.getMessage(), e instanceof IOException io && IoFailures.isRefused(io), 0,
                        new byte[0]).blame(r, start);
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
}
