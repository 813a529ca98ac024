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
    void relay(Replica r, Exchange x, ServerResponse res, Upstream up, long start, boolean tokenIds)
            throws IOException, AttemptFailed {
        StreamState st = new StreamState();
        st.withTokenIds = tokenIds;
        try {
            pump(x, res, up, st, 0, false);
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
     * stream replays what the client already has) but checked against what was sent. A {@code continuation} (a
     * resume by token ids) sends only what follows: its chat role chunk is dropped. Returns at {@code [DONE]}.
     */
    private void pump(Exchange x, ServerResponse res, Upstream up, StreamState st, int skip, boolean continuation)
            throws IOException {
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
                // with token ids the tree is needed anyway (ids kept, stripped): parse once
                JsonNode tree = st.withTokenIds ? treeOrNull(e.data()) : null;
                CompletionChunk chunk = tree != null && tree.isObject() ? CompletionChunk.of(tree)
                        : CompletionChunk.parse(json, e.data());
                // --- usage for the cost counters (pools): read, and not passed on when only the gateway asked
                if (chunk.hasUsage()) {
                    x.promptTokens = chunk.promptTokens();
                    x.completionTokens = chunk.completionTokens();
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
                boolean keepsId = skip > 0 || continuation; // a resumed stream goes on under the original id
                if (keepsId || st.withTokenIds) {
                    raw = reshape(x, st, tree != null ? tree : json.readTree(e.data()), raw, keepsId, continuation);
                    if (raw == null) {
                        continue;
                    }
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

    /** The payload's JSON tree, or null when it is not JSON (then {@link CompletionChunk#parse} says why). */
    private JsonNode treeOrNull(String data) {
        try {
            return json.readTree(data);
        } catch (IOException e) {
            return null;
        }
    }

    /** A replica that refused to continue after the ids (a 4xx): another would refuse too. */
    private static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** A resumed stream that does not reproduce what was sent: not resumable (no other replica will do better). */
    private static final class Diverged extends IOException {
        Diverged(String message) {
            super(message);
        }
    }

    /**
     * One chunk as the client gets it, or null to drop it: its token ids kept (the resume wire) and taken out when
     * the client did not ask for them, a continuation's prompt ids and chat role chunk dropped, and a resumed
     * stream's chunk under the original stream's id, so the client sees one completion.
     */
    private byte[] reshape(Exchange x, StreamState st, JsonNode node, byte[] raw, boolean keepsId, boolean continuation)
            throws IOException {
        if (!(node instanceof ObjectNode o) || o.has("error")) {
            return raw;
        }
        if (continuation && ResumeWire.isRoleChunk(o)) {
            return null;
        }
        boolean changed = false;
        if (st.withTokenIds && !o.path("choices").isEmpty()) {
            st.tokenIds.addFrom(o);
            st.finished |= !o.path("choices").path(0).path("finish_reason").isNull()
                    && o.path("choices").path(0).has("finish_reason");
        }
        if (st.withTokenIds && !ResumeWire.clientAsked(x)) {
            ResumeWire.strip(o);
            changed = true;
        } else if (continuation) {
            ResumeWire.stripPromptIds(o);
            changed = true;
        }
        if (keepsId && st.id != null && o.has("id")) {
            o.put("id", st.id);
            changed = true;
        } else if (!keepsId && st.id == null) {
            st.id = o.path("id").asText(null);
        }
        return changed ? Sse.event(json.writeValueAsString(o)) : raw;
    }

    /**
     * Continues a dropped stream on another replica. When the dropped replica gave token ids and the next one
     * speaks the resume wire, that one continues after exactly the ids relayed so far and confirms it before its
     * first byte ({@link ResumeWire}): nothing is computed twice. Otherwise the same request runs again, and its
     * first chunks must reproduce exactly what the client already has (greedy and seeded sampling are
     * deterministic on Sluice replicas); those are skipped and the rest relayed. A replica whose replay differs or
     * that refuses the resume, or no replica at all, ends the stream with an OpenAI-style error event and
     * {@code [DONE]}: a clean end, never a hang or a spliced stream.
     */
    private void resume(Exchange x, ServerResponse res, StreamState st, String why) {
        String reason = why;
        if (st.withTokenIds && st.finished) {
            // the answer is whole (its last chunk carries the stop token's id): nothing to continue, only to end.
            // (A usage chunk the client asked for, sent after it, is lost in that narrow window.)
            write(st, Sse.done());
            flush(st);
            return;
        }
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
            boolean byTokenIds = st.withTokenIds && st.tokenIds.complete() && r.resumeWire();
            int sent = st.tokenIds.size(); // none when the drop came before the first token: then simply start over
            try {
                up = !byTokenIds ? upstreams.open(r, x) : upstreams.open(r, x, sent == 0
                        ? ResumeWire.askingForTokenIds(x.request)
                        : ResumeWire.resumingAfter(x.request, st.tokenIds));
                if (byTokenIds && up.status() >= 400 && up.status() < 500) {
                    throw new Refused(r + " refused to resume after " + st.tokenIds.size() + " tokens: "
                            + up.status() + " " + IoFailures.abbreviate(up.body().readAll(config.streamStallTimeout())));
                }
                if (up.status() != 200 || !up.contentType().startsWith(Sse.CONTENT_TYPE)) {
                    throw new IOException(r + " answered " + up.status() + " " + up.contentType()
                            + " to the resumed request");
                }
                if (byTokenIds) {
                    if (sent > 0 && !ResumeWire.confirms(up, sent)) {
                        throw new IOException(r + " did not confirm continuing after " + sent + " tokens");
                    }
                    pump(x, res, up, st, 0, st.choiceEvents > 0);
                } else {
                    st.withTokenIds = false; // the client's own request: its chunks carry no ids to keep
                    st.tokenIds.incomplete();
                    pump(x, res, up, st, st.choiceEvents, false);
                }
                r.onSuccess(System.nanoTime() - start);
                x.resumes++;
                metrics.resumed();
                if (byTokenIds) {
                    metrics.resumedFromTokenIds();
                }
                return;
            } catch (Diverged | Refused d) {
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
