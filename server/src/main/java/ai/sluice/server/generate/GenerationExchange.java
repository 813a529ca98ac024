package ai.sluice.server.generate;

import ai.sluice.server.api.ApiException;
import ai.sluice.server.api.Json;
import ai.sluice.server.api.SamplingOptions;
import ai.sluice.server.api.TokenIdOptions;
import ai.sluice.server.api.Usage;
import ai.sluice.server.serving.OverloadedException;
import ai.sluice.server.serving.RejectedException;
import ai.sluice.server.serving.GenerationSpec;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.server.structured.ConstraintCompiler;
import ai.sluice.engine.TokenConstraint;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the sequences of one completion request in the engine and writes the HTTP response, streamed
 * (SSE) or whole. Runs on the request's own (virtual) thread; the engine only hands it events.
 *
 * <p>A client that goes away is only noticed when a write fails, so while waiting the exchange
 * writes something every {@code pingInterval}: an SSE comment ({@code : ping}) in a stream, and for a
 * whole response that takes longer than that, leading whitespace before the JSON (valid JSON; the
 * status is then committed as 200). Any failed write cancels every sequence of the request, which
 * frees its KV blocks in the engine.
 */
public final class GenerationExchange {
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SPACE = {' '};

    /**
     * @param queueCapacity tokens one sequence may have waiting for a slow client before it is cancelled
     * @param stallTimeout  a write that blocks this long (the client stopped reading) cancels the request
     */
    public record Settings(Duration pingInterval, Duration requestTimeout, int queueCapacity, Duration stallTimeout) {
    }

    /**
     * One sequence to run: its prompt, how many tokens it may generate, and the tokens an earlier run
     * of it generated (a resume: only what follows them is sent; empty otherwise).
     */
    public record Sequence(int[] prompt, int maxTokens, int[] resumed) {
        public Sequence(int[] prompt, int maxTokens) {
            this(prompt, maxTokens, new int[0]);
        }
    }

    private final ServedModel servedModel;
    private final Settings settings;
    private final WriteWatchdog watchdog;
    /** Structured output: request specs compiled against the served vocabulary (cached). */
    private final ConstraintCompiler constraints;

    public GenerationExchange(ServedModel servedModel, Settings settings, WriteWatchdog watchdog) {
        this.servedModel = servedModel;
        this.settings = settings;
        this.watchdog = watchdog;
        this.constraints = new ConstraintCompiler(servedModel.codec()).prepareInBackground();
    }

    /**
     * Submits the sequences and writes the response.
     *
     * @param arrivalNanos when the request arrived ({@link System#nanoTime()})
     * @throws ApiException 429 when the engine's queue is full, 400/503 when it refuses the work
     *         (nothing has been written then)
     */
    public Outcome run(List<Sequence> sequences, SamplingOptions s, ResponseFormat format, ServerResponse res,
                       long arrivalNanos) {
        TokenConstraint constraint = constraints.compile(s.output()); // a bad schema is a 400 before any write
        if (s.priority() != 0 && !servedModel.schedulesByPriority()) {
            throw ApiException.invalid("priority", "'priority' needs priority scheduling (serve --scheduling priority);"
                    + " this server admits requests first come, first served");
        }
        int n = sequences.size();
        SequenceEvents events = new SequenceEvents(settings.queueCapacity() * n);
        List<ChoiceState> choices = new ArrayList<>(n);
        int promptTokens = 0;
        for (int i = 0; i < n; i++) {
            Sequence q = sequences.get(i);
            promptTokens += q.prompt().length;
            choices.add(new ChoiceState(i, q.prompt(), q.resumed().length));
        }
        Writer out = new Writer(res, s.stream(), watchdog);
        long ttft = -1;
        try {
            submitAll(sequences, s, constraint, events, choices);
            confirmResume(sequences, res);
            long deadline = arrivalNanos + settings.requestTimeout().toNanos();
            long pingNanos = settings.pingInterval().toNanos();
            if (s.stream()) {
                out.beginStream();
                for (ChoiceState c : choices) {
                    out.event(format.streamStart(c));
                }
                out.flush();
            }
            int open = n;
            while (open > 0) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    abortAll(choices, "abort", "the request timed out after " + settings.requestTimeout().toSeconds() + " s");
                    return timeout(out, choices, promptTokens, ttft, format, s);
                }
                if (events.overflowed()) {
                    abortAll(choices, "abort", "the client read too slowly; the request was cancelled");
                    break;
                }
                SequenceEvents.Event e = events.poll(Math.min(pingNanos, deadline - now));
                now = System.nanoTime();
                if (now - out.lastWriteNanos() >= pingNanos && now - arrivalNanos >= pingNanos) {
                    out.keepAlive();
                }
                if (e == null) {
                    continue;
                }
                ChoiceState c = choices.get(e.choice());
                if (c.done()) {
                    continue;
                }
                String text;
                if (e instanceof SequenceEvents.TokenEvent t) {
                    if (ttft < 0) {
                        ttft = now - arrivalNanos;
                    }
                    text = c.accept(t.token(), t.text(), t.logprobs());
                } else {
                    SequenceEvents.FinishEvent f = (SequenceEvents.FinishEvent) e;
                    text = c.finish(f.reason(), f.finalText(), f.usage());
                }
                if (s.stream() && format.tokenIds()) {
                    writeWithTokenIds(out, format, c, text);
                } else if (s.stream()) {
                    List<ChoiceState.LoggedToken> lps = c.takeUnsentLogprobs();
                    if (!text.isEmpty() || !lps.isEmpty()) {
                        out.event(format.streamDelta(c.index, text, lps, c.text().length() - text.length()));
                    }
                    if (c.done()) {
                        if ("error".equals(c.finishReason())) {
                            out.event(new ApiException(500, "server_error", null, null, c.error()).toResponse());
                        }
                        out.event(format.streamFinish(c.index, c.finishReason()));
                    }
                }
                if (c.done()) {
                    open--;
                }
                if (events.isEmpty()) {
                    out.flush(); // one write per burst: chunks that queued up while writing go out together
                }
            }
            Usage usage = usage(choices, promptTokens);
            if (s.stream()) {
                if (s.includeUsage()) {
                    out.event(format.streamUsage(usage));
                }
                out.done();
                return outcome(200, choices, promptTokens, ttft);
            }
            ChoiceState failed = firstError(choices);
            if (failed != null && !out.committed()) {
                ApiException err = new ApiException(500, "server_error", null, null,
                        failed.error() != null ? failed.error() : "the request failed");
                out.error(err);
                return outcome(500, choices, promptTokens, ttft);
            }
            out.json(format.response(choices, usage));
            return outcome(200, choices, promptTokens, ttft);
        } catch (ClientTooSlow slow) {
            abortAll(choices, "abort", "the client stopped reading for " + settings.stallTimeout().toMillis()
                    + " ms; the request was cancelled");
            return outcome(499, choices, promptTokens, ttft);
        } catch (ClientGone gone) {
            abortAll(choices, "abort", "client disconnected");
            return outcome(499, choices, promptTokens, ttft);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            abortAll(choices, "abort", "server stopping");
            return outcome(503, choices, promptTokens, ttft);
        } finally {
            cancelAll(choices); // idempotent; makes sure nothing is left running in the engine
        }
    }

    private void submitAll(List<Sequence> sequences, SamplingOptions s, TokenConstraint constraint, SequenceEvents events,
                           List<ChoiceState> choices) {
        for (int i = 0; i < sequences.size(); i++) {
            Sequence q = sequences.get(i);
            ChoiceState c = choices.get(i);
            Long seed = s.seed() == null ? null : s.seed() + i;
            GenerationSpec spec = new GenerationSpec(q.prompt(), q.maxTokens(), s.temperature(), s.topP(), s.topK(),
                    s.minP(), s.presencePenalty(), s.frequencyPenalty(), s.repetitionPenalty(), seed, s.stop(),
                    s.stopTokenIds(), s.topLogprobs(), s.ignoreEos(), s.logitBias(), q.resumed(), constraint,
                    Math.min(s.minTokens(), q.maxTokens()), // a sequence's maxTokens may be cut to the context
                    s.priority());
            try {
                c.generation.set(servedModel.submit(spec, events.listener(i, c.generation)));
            } catch (OverloadedException e) {
                cancelAll(choices);
                throw new ApiException(429, "rate_limit_exceeded", null, "queue_full",
                        e.getMessage() + "; retry in " + e.retryAfterSeconds() + " s (the Retry-After header)")
                        .withRetryAfter(e.retryAfterSeconds());
            } catch (RejectedException e) {
                cancelAll(choices);
                throw switch (e.kind()) {
                    case INVALID_REQUEST -> "resumedTokens".equals(e.parameter())
                            ? ApiException.invalid(TokenIdOptions.RESUME_FIELD, e.getMessage())
                            : ApiException.badRequest(e.getMessage());
                    case UNAVAILABLE -> new ApiException(503, "service_unavailable", null, "engine_unavailable",
                            e.getMessage());
                };
            }
        }
    }

    /**
     * With token ids a chunk carries the ids of the tokens whose text it carries. A token whose text
     * is held back (half a character, the possible start of a stop string) sends no chunk: its id
     * waits for the chunk that carries its text. The choice's last chunk carries the rest of the text,
     * the remaining ids (EOS or a stop token id included) and the finish reason together, so a client
     * that holds a stop token's id has the whole answer, and resuming after the ids a client holds
     * gives exactly the text it lacks.
     */
    private static void writeWithTokenIds(Writer out, ResponseFormat format, ChoiceState c, String text) {
        List<ChoiceState.LoggedToken> lps = c.takeUnsentLogprobs();
        if (!c.done() && text.isEmpty() && lps.isEmpty()) {
            return;
        }
        if (c.done() && "error".equals(c.finishReason())) {
            out.event(new ApiException(500, "server_error", null, null, c.error()).toResponse());
        }
        out.event(format.streamChunk(c, text, lps, c.text().length() - text.length(), c.takeUnsentTokenIds(),
                c.done() ? c.finishReason() : null));
    }

    /** A resumed request says so in a header, before any byte of its body: a gateway relays nothing it cannot trust. */
    private static void confirmResume(List<Sequence> sequences, ServerResponse res) {
        if (sequences.size() == 1 && sequences.getFirst().resumed().length > 0) {
            res.header(TokenIdOptions.RESUMED_HEADER, Integer.toString(sequences.getFirst().resumed().length));
        }
    }

    private static void cancelAll(List<ChoiceState> choices) {
        for (ChoiceState c : choices) {
            c.cancel();
        }
    }

    private Outcome timeout(Writer out, List<ChoiceState> choices, int promptTokens, long ttft, ResponseFormat format,
                            SamplingOptions s) {
        ApiException err = new ApiException(504, "timeout", null, "request_timeout",
                "the request timed out after " + settings.requestTimeout().toSeconds() + " s");
        try {
            if (s.stream()) {
                out.event(err.toResponse());
                for (ChoiceState c : choices) {
                    out.event(format.streamFinish(c.index, c.finishReason()));
                }
                out.done();
                return outcome(200, choices, promptTokens, ttft);
            }
            out.error(err);
            return outcome(out.committed() ? 200 : 504, choices, promptTokens, ttft);
        } catch (ClientGone gone) {
            return outcome(499, choices, promptTokens, ttft);
        }
    }

    private static void abortAll(List<ChoiceState> choices, String reason, String message) {
        for (ChoiceState c : choices) {
            c.abort(reason, message);
        }
    }

    private static ChoiceState firstError(List<ChoiceState> choices) {
        for (ChoiceState c : choices) {
            if ("error".equals(c.finishReason())) {
                return c;
            }
        }
        return null;
    }

    private static Usage usage(List<ChoiceState> choices, int promptTokens) {
        int output = 0;
        int cached = 0;
        for (ChoiceState c : choices) {
            output += c.outputTokens();
            cached += c.cachedPromptTokens();
        }
        return Usage.of(promptTokens, output, cached);
    }

    private static Outcome outcome(int status, List<ChoiceState> choices, int promptTokens, long ttft) {
        int output = 0;
        for (ChoiceState c : choices) {
            output += c.outputTokens();
        }
        ChoiceState first = choices.isEmpty() ? null : choices.getFirst();
        return new Outcome(status, promptTokens, output, ttft, first == null ? null : first.finishReason(),
                first == null ? null : first.error());
    }

    /** A write to the client failed: it has gone away. */
    private static class ClientGone extends RuntimeException {
        ClientGone(Throwable cause) {
            super(cause);
        }
    }

    /** A write to the client blocked past the stall limit: it stopped reading, so it was cut off. */
    private static final class ClientTooSlow extends ClientGone {
        ClientTooSlow(Throwable cause) {
            super(cause);
        }
    }

    /**
     * Writes to one response; every failure becomes {@link ClientGone} ({@link ClientTooSlow} when
     * the watchdog cut off a write that blocked too long).
     */
    private static final class Writer {
        private static final int WRITE_SLICE = 16 * 1024;
        private final ServerResponse res;
        private final boolean stream;
        private final WriteWatchdog watchdog;
        private OutputStream os;
        /** Any bytes written but not yet flushed. */
        private boolean pending;
        private long lastWrite = System.nanoTime();

        Writer(ServerResponse res, boolean stream, WriteWatchdog watchdog) {
            this.res = res;
            this.stream = stream;
            this.watchdog = watchdog;
        }

        long lastWriteNanos() {
            return lastWrite;
        }

        boolean committed() {
            return os != null;
        }

        void beginStream() {
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            open();
            flush();
        }

        /** Writes one SSE event; {@link #flush()} sends it (the caller flushes once per burst). */
        void event(Object body) {
            if (body == null) {
                return;
            }
            write(DATA);
            write(Json.write(body));
            write(END);
        }

        /**
         * Probes the connection when nothing was written for a ping interval: an SSE comment in a
         * stream; in a whole response, a space before the JSON.
         */
        void keepAlive() {
            if (stream) {
                write(PING);
                flush();
            } else {
                if (os == null) {
                    res.status(Status.OK_200);
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    open();
                }
                write(SPACE);
                flush();
            }
        }

        void done() {
            write(DONE);
            close();
        }

        void json(Object body) {
            byte[] bytes = Json.write(body);
            if (os == null) {
                res.status(Status.OK_200);
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                blocking(() -> res.send(bytes));
                return;
            }
            write(bytes);
            close();
        }

        void error(ApiException err) {
            if (os == null) {
                res.status(err.status());
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                byte[] bytes = Json.write(err.toResponse());
                blocking(() -> res.send(bytes));
                return;
            }
            write(Json.write(err.toResponse()));
            close();
        }

        private void open() {
            blocking(() -> os = res.outputStream());
        }

        private void write(byte[] b) {
            // in slices, so a large response to a slow but reading client is not one long stall
            for (int off = 0; off < b.length; off += WRITE_SLICE) {
                int from = off;
                int len = Math.min(WRITE_SLICE, b.length - off);
                blocking(() -> os.write(b, from, len));
            }
            pending = true;
        }

        /** Runs one socket operation under the stall watchdog; any failure means the client is gone. */
        private void blocking(SocketOp op) {
            WriteWatchdog.Watch watch = watchdog.watch();
            Exception failure = null;
            try {
                op.run();
            } catch (IOException | RuntimeException e) {
                failure = e;
            }
            if (watch.end()) {
                throw new ClientTooSlow(failure);
            }
            if (failure != null) {
                throw new ClientGone(failure);
            }
        }

        /**
         * Sends what was written since the last flush. A flush with nothing written sends nothing and
         * is not a write: counting it would hold off the keep-alive bytes that detect a client gone
         * from a whole response while tokens keep arriving.
         */
        void flush() {
            if (os == null || !pending) {
                return;
            }
            pending = false;
            blocking(() -> os.flush());
            lastWrite = System.nanoTime();
        }

        private void close() {
            pending = true; // close flushes
            blocking(() -> os.close());
        }
    }

    @FunctionalInterface
    private interface SocketOp {
        void run() throws IOException;
    }
}
