package ai.sluice.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine thread. Each iteration: take new submissions and cancellations, plan a step, run one
 * batched forward pass, sample, stream outputs, finish requests. Failures are contained: a forward
 * pass that throws is retried per sequence so only the failing requests end with an error; a
 * listener that throws fails only its own request.
 */
final class EngineLoop {
    private static final Logger LOG = Logger.getLogger(EngineLoop.class.getName());
    private static final long IDLE_TICK_NANOS = Engine.IDLE_TICK.toNanos();
    private static final int DRAIN_WINDOW_SECONDS = 30;
    /**
     * Tokens per model call: a step wider than this runs as several calls with a heartbeat between
     * them, so a long prefill step never looks like a hung loop (results are the same: each entry
     * depends only on its own sequence, whose earlier entries are written by the earlier calls).
     */
    static final int HEARTBEAT_CHUNK = 64;

    private final ModelRunner runner;
    private final EngineConfig config;
    private final KvCacheLayout layout;
    private final int vocab;
    private final boolean[] eos;
    private final EngineMetrics metrics;
    private final KvCacheBlocks pool;
    private final Scheduler scheduler;
    private final float[] logits;
    private final float[] row;
    private final float[] chunkLogits;
    private final List<ModelRunner.Entry> batch = new ArrayList<>();
    /** The sequence of each entry of {@link #batch} (for pooling embeddings). */
    private final List<Sequence> owners = new ArrayList<>();
    /** Final hidden states of one model call, allocated when the first embedding runs. */
    private float[] hidden;
    private final Queue<Sequence> inbox = new ConcurrentLinkedQueue<>();
    private final Queue<Sequence> cancels = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedRequests = new AtomicInteger();
    private final AtomicLong queuedTokens = new AtomicLong();
    private final AtomicInteger unfinished = new AtomicInteger();
    private final Object idleMonitor = new Object();
    private final Object submitLock = new Object();
    private final Thread thread;
    private long arrivals;
    private volatile long heartbeat;
    private volatile boolean closing;
    private volatile boolean dead;
    private volatile CountDownLatch freeze;

    private EngineLoop(ModelRunner runner, EngineConfig config, KvCacheLayout layout) {
        this.runner = runner;
        this.config = config;
        this.layout = layout;
        this.vocab = runner.vocabSize();
        this.eos = new boolean[vocab];
        for (int id : config.eosTokenIds()) {
            if (id >= 0 && id < vocab) {
                eos[id] = true;
            }
        }
        long now = System.nanoTime();
        this.metrics = new EngineMetrics(new DrainRate(DRAIN_WINDOW_SECONDS, now));
        this.pool = new KvCacheBlocks(layout.blocks(), layout.blockSize());
        this.scheduler = new Scheduler(config, pool, metrics);
        this.logits = new float[config.maxNumSeqs() * vocab];
        this.row = new float[vocab];
        this.chunkLogits = new float[Math.min(HEARTBEAT_CHUNK, config.maxNumSeqs()) * vocab];
        this.heartbeat = now;
        this.thread = Thread.ofPlatform().name("sluice-engine").daemon(true).unstarted(this::run);
    }

    static EngineLoop start(ModelRunner runner, EngineConfig config) {
        KvCacheLayout layout = KvCacheSizing.layout(runner, config);
        try {
            runner.allocateKvCache(Math.toIntExact(layout.tokens()), config.kvCacheType());
        } catch (OutOfMemoryError e) {
            throw new EngineConfigurationException("could not allocate " + KvCacheSizing.mib(layout.bytes())
                    + " for the KV cache (" + e.getMessage() + "): lower EngineConfig.kvCacheBudget");
        }
        try {
            EngineLoop loop = new EngineLoop(runner, config, layout);
            loop.thread.start();
            return loop;
        } catch (RuntimeException | OutOfMemoryError e) {
            runner.close();
            throw e;
        }
    }

    // ---- any thread ----

    RequestHandle submit(GenerationRequest request, GenerationListener listener) {
        validate(request);
        int maxTokens = Math.min(request.maxTokens(), layout.maxModelLen() - request.promptLength());
        // stream resume: primed here, on the caller's thread, so a bad request is refused at once
        Resumption.Primed primed = request.resumedTokensUnsafe().length == 0 ? null
                : Resumption.prime(request, maxTokens, config.detokenizer(), eos, vocab);
        return enqueue(request, listener, maxTokens, null, primed);
    }

    RequestHandle embed(EmbeddingRequest request, EmbeddingListener listener) {
        int[] tokens = request.tokensUnsafe();
        if (runner.hiddenSize() == 0) {
            throw new InvalidRequestException("model", "this model runner gives no hidden states to embed");
        }
        if (tokens.length > layout.maxModelLen()) {
            throw new InvalidRequestException("tokens", "the input holds " + tokens.length + " tokens but the "
                    + "engine's max-model-len is " + layout.maxModelLen() + "; shorten the input");
        }
        for (int t : tokens) {
            if (t < 0 || t >= vocab) {
                throw new InvalidRequestException("tokens", "token id " + t + " is outside the vocabulary of " + vocab);
            }
        }
        // the engine's prefill path runs it: a one-token "generation" that pools instead of sampling
        GenerationRequest prefill = GenerationRequest.builder(request.requestId(), tokens).maxTokens(1).build();
        PooledEmbedding pooled = new PooledEmbedding(request, runner.hiddenSize(), listener);
        return enqueue(prefill, pooled, 1, pooled, null);
    }

    int hiddenSize() {
        return runner.hiddenSize();
    }

    private RequestHandle enqueue(GenerationRequest request, GenerationListener listener, int maxTokens,
                                  PooledEmbedding embedding, Resumption.Primed primed) {
        synchronized (submitLock) {
            if (closing || dead) {
                throw new EngineClosedException(dead ? "the engine loop has stopped after an internal error"
                        : "the engine is shutting down");
            }
            // a resumed request prefills its resumed tokens too: they weigh on the queue as prompt tokens do
            int prompt = request.promptLength() + request.resumedTokensUnsafe().length;
            if (queuedRequests.get() >= config.maxWaitingRequests()
                    || queuedTokens.get() + prompt > config.maxWaitingTokens()) {
                metrics.rejected();
                double rate = metrics.drainRatePerSecond();
                long retry = retryAfterSeconds(queuedRequests.get(), rate);
                throw new EngineOverloadedException("the engine's waiting queue is full (" + queuedRequests.get()
                        + " requests, " + queuedTokens.get() + " prompt tokens)",
                        retry, rate);
            }
            queuedRequests.incrementAndGet();
            queuedTokens.addAndGet(prompt);
            unfinished.incrementAndGet();
            Sequence s = new Sequence(arrivals++, request, listener, maxTokens, layout.blockSize(), System.nanoTime());
            if (primed != null) {
                s.picker = primed.picker();
                s.text = primed.text();
                s.stops = primed.stops();
                s.resumedEnd = primed.ended();
                metrics.resumed(s.resumed);
            }
            s.embedding = embedding;
            inbox.add(s);
            wake();
            return new Handle(s);
        }
    }

    /** The handle given out; cancel also queues the sequence for the loop. */
    private final class Handle implements RequestHandle {
        private final Sequence s;

        Handle(Sequence s) {
            this.s = s;
        }

        @Override
        public String requestId() {
            return s.requestId();
        }

        @Override
        public void cancel() {
            if (!s.isFinished() && s.requestCancel()) {
                cancels.add(s);
                wake();
            }
        }

        @Override
        public boolean isFinished() {
            return s.isFinished();
        }
    }

    static long retryAfterSeconds(int queued, double drainPerSecond) {
        if (drainPerSecond <= 0) {
            return 10;
        }
        return Math.clamp((long) Math.ceil((queued + 1) / drainPerSecond), 1, 60);
    }

    private void validate(GenerationRequest request) {
        int n = request.promptLength();
        if (n >= layout.maxModelLen()) {
            throw new InvalidRequestException("promptTokens", "the prompt holds " + n + " tokens but the engine's "
                    + "max-model-len is " + layout.maxModelLen() + ", leaving no room to generate; shorten the prompt");
        }
        int[] tokens = request.promptTokensUnsafe();
        for (int t : tokens) {
            if (t < 0 || t >= vocab) {
                throw new InvalidRequestException("promptTokens", "prompt token id " + t
                        + " is outside the vocabulary of " + vocab);
            }
        }
        for (int t : request.logitBias().keySet()) {
            if (t < 0 || t >= vocab) {
                throw new InvalidRequestException("logitBias", "logit bias token id " + t
                        + " is outside the vocabulary of " + vocab);
            }
        }
    }

    private void wake() {
        LockSupport.unpark(thread);
    }

    EngineMetrics metrics() {
        return metrics;
    }

    EngineConfig config() {
        return config;
    }

    KvCacheLayout layout() {
        return layout;
    }

    int vocabSize() {
        return vocab;
    }

    long lastHeartbeatNanos() {
        return heartbeat;
    }

    boolean isAlive() {
        return thread.isAlive() && !dead && !closing;
    }

    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idleMonitor) {
            while (unfinished.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idleMonitor.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    Engine.Freeze freeze() {
        CountDownLatch latch = new CountDownLatch(1);
        freeze = latch;
        return () -> {
            freeze = null;
            latch.countDown();
        };
    }

    void close() {
        synchronized (submitLock) {
            if (closing) {
                return;
            }
            closing = true;
        }
        CountDownLatch f = freeze;
        if (f != null) {
            f.countDown();
        }
        wake();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runner.close();
    }

    // ---- engine thread ----

    private void run() {
        try {
            while (!closing) {
                heartbeat = System.nanoTime();
                CountDownLatch f = freeze;
                if (f != null) {
                    f.await();
                    continue;
                }
                takeSubmissions();
                takeCancellations();
                if (scheduler.hasWork()) {
                    step();
                } else {
                    publishGauges();
                    LockSupport.parkNanos(IDLE_TICK_NANOS);
                }
            }
        } catch (Throwable t) {
            dead = true;
            LOG.log(Level.SEVERE, "engine loop stopped", t);
            String message = "engine loop failed: " + t;
            finishAll(new FinishReason.Error(message));
            return;
        }
        finishAll(new FinishReason.Cancelled());
    }

    private void finishAll(FinishReason reason) {
        synchronized (submitLock) {
            takeSubmissions();
        }
        for (Sequence s : scheduler.all()) {
            scheduler.remove(s);
            finish(s, reason, "");
        }
        publishGauges();
    }

    private void takeSubmissions() {
        Sequence s;
        while ((s = inbox.poll()) != null) {
            if (s.cancelRequested()) {
                finish(s, new FinishReason.Cancelled(), "");
            } else if (s.resumedEnd != null) {
                finish(s, s.resumedEnd, s.resumedEnd instanceof FinishReason.Length ? lengthTail(s) : "");
            } else {
                scheduler.addWaiting(s);
            }
        }
    }

    private void takeCancellations() {
        Sequence s;
        while ((s = cancels.poll()) != null) {
            if (s.state != Sequence.State.FINISHED && s.state != Sequence.State.QUEUED) {
                scheduler.remove(s);
                finish(s, new FinishReason.Cancelled(), "");
            }
        }
    }

    private void step() {
        long start = System.nanoTime();
        StepPlan plan = scheduler.schedule();
        if (plan.isEmpty()) {
            publishGauges();
            LockSupport.parkNanos(IDLE_TICK_NANOS);
            return;
        }
        for (int i = 0; i < plan.size(); i++) {
            Sequence s = plan.sequence(i);
            if (!s.admittedOnce) {
                firstAdmission(s, start);
            }
        }
        Set<Sequence> failed = forward(plan);
        scheduler.commit(plan);
        finishEmbeddings(plan, failed);
        int row = 0;
        for (int i = 0; i < plan.size(); i++) {
            Sequence s = plan.sequence(i);
            if (!plan.samples(i)) {
                continue;
            }
            int r = row++;
            if (failed.contains(s)) {
                continue;
            }
            try {
                sampleAndEmit(s, r);
            } catch (RuntimeException e) {
                fail(s, "generating the next token failed: " + e);
            }
        }
        long end = System.nanoTime();
        metrics.stepTimeHistogram().observe((end - start) / 1e9);
        metrics.batchSizeHistogram().observe(plan.size());
        metrics.iterationTokensHistogram().observe(plan.tokens());
        publishGauges();
    }

    /** Embedding sequences whose every position has run end here, with their pooled vector. */
    private void finishEmbeddings(StepPlan plan, Set<Sequence> failed) {
        for (int i = 0; i < plan.size(); i++) {
            Sequence s = plan.sequence(i);
            if (s.embedding != null && !failed.contains(s) && !s.isFinished() && s.computed >= s.length()) {
                finishDone(s, new FinishReason.Stop(-1, null), "");
            }
        }
    }

    private void firstAdmission(Sequence s, long now) {
        s.admittedOnce = true;
        s.firstScheduledNanos = now;
        s.cachedPromptTokens = Math.min(s.computed, s.promptLength);
        queuedRequests.decrementAndGet();
        queuedTokens.addAndGet(-(s.promptLength + s.resumed));
        metrics.promptTokens(s.promptLength);
        metrics.queueTimeHistogram().observe((now - s.arrivalNanos) / 1e9);
    }

    /** Runs the plan's tokens; on failure, each sequence alone, so only the failing ones are lost. */
    private Set<Sequence> forward(StepPlan plan) {
        batch.clear();
        owners.clear();
        for (int i = 0; i < plan.size(); i++) {
            addEntries(plan, i);
        }
        try {
            runChunked(batch, logits);
            return Set.of();
        } catch (RuntimeException batchFailure) {
            LOG.log(Level.WARNING, "a batched forward pass failed; retrying its " + plan.size()
                    + " sequences one by one", batchFailure);
            Map<Sequence, RuntimeException> failed = new LinkedHashMap<>();
            int sampled = 0;
            for (int i = 0; i < plan.size(); i++) {
                Sequence s = plan.sequence(i);
                batch.clear();
                owners.clear();
                addEntries(plan, i);
                try {
                    // K/V writes are idempotent (same token, same position, same slot), so re-running is safe.
                    runChunked(batch, row);
                    if (plan.samples(i)) {
                        System.arraycopy(row, 0, logits, sampled * vocab, vocab);
                    }
                } catch (RuntimeException e) {
                    failed.put(s, e);
                }
                if (plan.samples(i)) {
                    sampled++;
                }
            }
            failed.forEach((s, e) -> fail(s, "the model failed on this request: " + e.getMessage()));
            return failed.keySet();
        }
    }

    /**
     * Runs {@code entries} (the {@link #batch}) in calls of at most {@link #HEARTBEAT_CHUNK},
     * beating the heart after each; where embeddings are among them, each call's hidden states are
     * pooled into their sequences right after it.
     */
    private void runChunked(List<ModelRunner.Entry> entries, float[] out) {
        int n = entries.size();
        float[] h = hiddenFor(n);
        if (n <= HEARTBEAT_CHUNK) {
            runner.forward(entries, out, h);
            pool(h, 0, n);
            return;
        }
        int rowsDone = 0;
        for (int from = 0; from < n; from += HEARTBEAT_CHUNK) {
            List<ModelRunner.Entry> part = entries.subList(from, Math.min(n, from + HEARTBEAT_CHUNK));
            int rows = 0;
            for (int i = 0; i < part.size(); i++) {
                rows += part.get(i).wantsLogits() ? 1 : 0;
            }
            runner.forward(part, chunkLogits, h);
            pool(h, from, part.size());
            System.arraycopy(chunkLogits, 0, out, rowsDone * vocab, rows * vocab);
            rowsDone += rows;
            heartbeat = System.nanoTime();
        }
    }

    /** The hidden-state buffer when an embedding is among the batch's owners, else null. */
    private float[] hiddenFor(int entries) {
        boolean any = false;
        for (int i = 0, n = owners.size(); i < n && !any; i++) {
            any = owners.get(i).embedding != null;
        }
        if (!any) {
            return null;
        }
        int rows = Math.min(entries, HEARTBEAT_CHUNK);
        if (hidden == null || hidden.length < rows * runner.hiddenSize()) {
            hidden = new float[HEARTBEAT_CHUNK * runner.hiddenSize()];
        }
        return hidden;
    }

    /** Folds the hidden states of batch entries [from, from + n), found at h[0..], into their embeddings. */
    private void pool(float[] h, int from, int n) {
        if (h == null) {
            return;
        }
        int dim = runner.hiddenSize();
        for (int i = 0; i < n; i++) {
            PooledEmbedding e = owners.get(from + i).embedding;
            if (e != null) {
                e.accept(batch.get(from + i).position(), h, i * dim);
            }
        }
    }

    private void addEntries(StepPlan plan, int i) {
        Sequence s = plan.sequence(i);
        int from = s.computed;
        int to = from + plan.count(i);
        boolean samples = plan.samples(i);
        for (int p = from; p < to; p++) {
            batch.add(new ModelRunner.Entry(s.token(p), p, s, samples && p == to - 1));
            owners.add(s);
        }
    }

    private void sampleAndEmit(Sequence s, int r) {
        System.arraycopy(logits, r * vocab, row, 0, vocab);
        if (s.picker == null) {
            TokenConstraint c = s.request.constraint();
            s.picker = new TokenPicker(s.request.sampling(), s.request.logitBias(), vocab,
                    c == null ? null : new ConstraintMask(c, vocab, eos, s.request.stopTokenIds()),
                    MinTokens.of(s.request, eos));
            s.text = config.detokenizer().newStream(s.request.promptTokensUnsafe());
            s.stops = new StopStrings(s.request.stopStrings());
        }
        int token = s.picker.pick(row, s.tokens(), s.length(), s.generated);
        TokenLogprobs lp = s.request.logprobs()
                ? Logprobs.of(logits, r * vocab, vocab, token, s.request.topLogprobs()) : null;
        s.append(token);
        s.generated++;
        metrics.generationTokens(1);
        long now = System.nanoTime();
        if (s.generated == s.resumed + 1) {
            s.firstTokenNanos = now;
            metrics.ttftHistogram().observe((now - s.arrivalNanos) / 1e9);
        } else {
            metrics.interTokenHistogram().observe((now - s.lastTokenNanos) / 1e9);
        }
        s.lastTokenNanos = now;

        if ((eos[token] && !s.request.ignoreEos()) || s.request.stopTokenIds().contains(token)) {
            finishDone(s, new FinishReason.Stop(token, null), s.stops.drain() + s.text.flush());
            return;
        }
        String delta = s.stops.append(s.text.push(token), MinTokens.stopsApply(s.request, s.generated));
        if (!notify(s, token, delta, lp)) {
            return;
        }
        if (s.stops.matched() != null) {
            finishDone(s, new FinishReason.Stop(token, s.stops.matched()), "");
        } else if (s.generated >= s.maxTokens) {
            finishDone(s, new FinishReason.Length(), lengthTail(s));
        }
    }

    /** The text still held back when a sequence ends at its length limit. */
    private static String lengthTail(Sequence s) {
        return s.stops.drain() + s.stops.append(s.text.flush());
    }

    private boolean notify(Sequence s, int token, String delta, TokenLogprobs lp) {
        try {
            s.listener.onToken(token, delta, lp);
            return true;
        } catch (RuntimeException e) {
            fail(s, "the request's listener failed: " + e);
            return false;
        }
    }

    private void finishDone(Sequence s, FinishReason reason, String finalText) {
        scheduler.remove(s);
        finish(s, reason, finalText);
    }

    private void fail(Sequence s, String message) {
        LOG.log(Level.WARNING, "request " + s.requestId() + " failed: " + message);
        scheduler.remove(s);
        finish(s, new FinishReason.Error(message), "");
    }

    private void finish(Sequence s, FinishReason reason, String finalText) {
        if (s.isFinished()) {
            return;
        }
        if (!s.admittedOnce) {
            queuedRequests.decrementAndGet();
            queuedTokens.addAndGet(-(s.promptLength + s.resumed));
        }
        s.markFinished();
        publishGauges();
        long now = System.nanoTime();
        metrics.finished(reason, now);
        metrics.e2eHistogram().observe((now - s.arrivalNanos) / 1e9);
        metrics.sequenceFinished(s.promptLength, s.generated - s.resumed, s.firstScheduledNanos, s.firstTokenNanos, now);
        try {
            s.listener.onFinish(reason, finalText, new Usage(s.promptLength, s.generated, s.cachedPromptTokens));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + s.requestId() + ": listener failed in onFinish", e);
        }
        if (unfinished.decrementAndGet() == 0) {
            synchronized (idleMonitor) {
                idleMonitor.notifyAll();
            }
        }
    }

    private void publishGauges() {
        metrics.gauges(scheduler.waitingCount() + inbox.size(), scheduler.runningCount(), scheduler.kvUsage());
    }
}
