package ai.sluice.server;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.engine.FinishReason;
import ai.sluice.engine.GenerationListener;
import ai.sluice.engine.RequestHandle;
import ai.sluice.engine.TokenLogprobs;
import ai.sluice.engine.Usage;
import ai.sluice.server.serving.OverloadedException;
import ai.sluice.server.serving.ServingStats;
import ai.sluice.server.serving.GenerationSpec;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.core.tokenizer.StreamDecoder;
import ai.sluice.server.serving.TokenizerCodec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in engine for protocol tests: the real tokenizer of a model file, and a loop thread that
 * emits the tokens of a fixed text, one per sequence per step. Lets tests pace, freeze and count
 * sequences, which the HTTP behaviour (streaming, cancellation, limits, health) depends on.
 */
public final class ScriptedModel implements ServedModel {
    public static final String SCRIPT = " Once upon a time, there was a little girl named Lily. She loved to play outside.";

    private final TokenizerCodec codec;
    private final int[] script;
    private final int contextLength;
    private final Map<Long, Seq> active = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong generated = new AtomicLong();
    private final AtomicLong prompted = new AtomicLong();
    private final AtomicInteger submitted = new AtomicInteger();
    private final AtomicLong finishedLength = new AtomicLong();
    private final AtomicLong finishedStop = new AtomicLong();
    private final AtomicLong finishedCancelled = new AtomicLong();
    private final Thread loop;
    private volatile long heartbeat = System.nanoTime();
    private volatile long stepMillis;
    private volatile boolean frozen;
    private volatile int maxQueued = Integer.MAX_VALUE;
    private volatile int prefillSteps;
    private volatile boolean closed;

    public ScriptedModel(Path model, int contextLength, long stepMillis) {
        try (GgufFile f = GgufFile.open(model)) {
            this.codec = TokenizerCodec.fromGguf(f.metadata());
        }
        this.script = codec.encode(SCRIPT, false);
        this.contextLength = contextLength;
        this.stepMillis = stepMillis;
        this.loop = Thread.ofPlatform().daemon().name("scripted-engine").start(this::run);
    }

    private final class Seq implements RequestHandle {
        final long id = ids.incrementAndGet();
        final GenerationSpec spec;
        final GenerationListener listener;
        final StreamDecoder decoder = codec.tokenizer().newStreamDecoder();
        final StopMatcher stops;
        int produced;
        volatile int prefillLeft = prefillSteps;
        volatile boolean cancelled;

        Seq(GenerationSpec spec, GenerationListener listener) {
            this.spec = spec;
            this.listener = listener;
            this.stops = new StopMatcher(spec.stopStrings());
        }

        @Override
        public String requestId() {
            return "scripted-" + id;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public boolean isFinished() {
            return !active.containsKey(id);
        }

        Usage usage() {
            return new Usage(spec.promptTokens().length, produced, 0);
        }
    }

    private void run() {
        while (!closed) {
            try {
                Thread.sleep(stepMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (frozen) {
                continue; // a hung loop: no steps, no heartbeat
            }
            heartbeat = System.nanoTime();
            for (Seq s : active.values()) {
                step(s);
            }
        }
    }

    private void step(Seq s) {
        if (s.cancelled) {
            active.remove(s.id);
            finishedCancelled.incrementAndGet();
            s.listener.onFinish(new FinishReason.Cancelled(), "", s.usage());
            return;
        }
        if (s.prefillLeft-- > 0) {
            return;
        }
        int token = script[s.produced % script.length];
        s.produced++;
        generated.incrementAndGet();
        TokenLogprobs lp = s.spec.topLogprobs() < 0 ? null
                : new TokenLogprobs(token, -0.25f, alternatives(token, s.spec.topLogprobs()));
        for (int stopId : s.spec.stopTokenIds()) {
            if (stopId == token) {
                s.listener.onToken(token, "", lp);
                finish(s, new FinishReason.Stop(token, null), s.stops.flush());
                return;
            }
        }
        s.listener.onToken(token, s.stops.push(s.decoder.push(token)), lp);
        if (s.stops.stopped()) {
            finish(s, new FinishReason.Stop(token, null), "");
        } else if (s.produced >= s.spec.maxTokens() || s.spec.promptTokens().length + s.produced >= contextLength) {
            finish(s, new FinishReason.Length(), s.stops.push(s.decoder.flush()) + s.stops.flush());
        }
    }

    private void finish(Seq s, FinishReason reason, String finalText) {
        active.remove(s.id);
        (reason instanceof FinishReason.Stop ? finishedStop : finishedLength).incrementAndGet();
        s.listener.onFinish(reason, finalText, s.usage());
    }

    private static java.util.List<TokenLogprobs.Alternative> alternatives(int token, int k) {
        java.util.List<TokenLogprobs.Alternative> top = new java.util.ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            top.add(new TokenLogprobs.Alternative(token + i, -0.25f - i));
        }
        return top;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public TokenizerCodec codec() {
        return codec;
    }

    /** Fault hook for tests: "submit" or "heartbeat" then recurse until the stack overflows, a real StackOverflowError. */
    public void overflowStackIn(String method) {
        overflowIn = method;
    }

    private volatile String overflowIn = "";

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Override
    public RequestHandle submit(GenerationSpec spec, GenerationListener listener) {
        if (overflowIn.equals("submit")) {
            recurse(0);
        }
        if (active.size() >= maxQueued) {
            throw new OverloadedException("the engine's waiting queue is full", 3);
        }
        Seq s = new Seq(spec, listener);
        prompted.addAndGet(spec.promptTokens().length);
        submitted.incrementAndGet();
        active.put(s.id, s);
        return s;
    }

    private static final double[] BOUNDS = {0.01, 0.1, 1, 10};

    @Override
    public ServingStats stats() {
        ServingStats.HistogramData empty = ServingStats.HistogramData.empty(BOUNDS);
        return new ServingStats(0, active.size(), active.size() / 100.0, 0, 0, 0, prompted.get(), generated.get(),
                Map.of("length", finishedLength.get(), "stop", finishedStop.get(),
                        "abort", finishedCancelled.get()), empty, empty, empty, empty, empty, empty, empty, empty, empty);
    }

    @Override
    public long heartbeatNanos() {
        if (overflowIn.equals("heartbeat")) {
            recurse(0);
        }
        return heartbeat;
    }

    @Override
    public void close() {
        closed = true;
        loop.interrupt();
    }

    /** Sequences the engine still holds (the stand-in for KV blocks in use). */
    public int activeSequences() {
        return active.size();
    }

    /** Sequences that ended by cancellation (the client's or the server's). */
    public long cancelledSequences() {
        return finishedCancelled.get();
    }

    public int submittedSequences() {
        return submitted.get();
    }

    /** Sequences accepted at once; more are refused as overload. */
    public void maxQueued(int n) {
        maxQueued = n;
    }

    @Override
    public Frozen freeze() {
        frozen = true;
        return () -> frozen = false;
    }

    public void freeze(boolean f) {
        frozen = f;
    }

    public void stepMillis(long ms) {
        stepMillis = ms;
    }

    /** Steps each new sequence spends in "prefill" before its first token. */
    public void prefillSteps(int steps) {
        prefillSteps = steps;
    }

    /** Ends the prefill of every sequence now waiting. */
    public void finishPrefills() {
        prefillSteps = 0;
        for (Seq s : active.values()) {
            s.prefillLeft = 0;
        }
    }

    public int[] script() {
        return script.clone();
    }
}
