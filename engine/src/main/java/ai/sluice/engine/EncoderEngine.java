package ai.sluice.engine;

import ai.sluice.core.model.BertEncoder;
import ai.sluice.core.model.BertModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine of an encoder (BERT) model: embedding requests only, batched, with no KV cache.
 *
 * <p>Why not {@link Engine}: its scheduler splits prompts into chunks that attend to the KV of
 * the earlier chunks, which is right for causal decoders. An encoder's attention is bidirectional,
 * so a sequence must run whole in one pass and leaves nothing behind to cache; encoder contexts
 * are short (512 tokens for BERT). So each step takes waiting inputs in arrival order, whole,
 * while they fit {@code maxBatchedTokens} (always at least one) and {@code maxNumSeqs}, runs them
 * in one {@link BertEncoder} pass and pools every input's token states. Admission limits
 * (waiting requests and tokens) and metrics are the engine's.
 */
public final class EncoderEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EncoderEngine.class.getName());
    private static final int DRAIN_WINDOW_SECONDS = 30;

    private final BertModel model;
    private final BertEncoder encoder;
    private final EngineConfig config;
    private final int maxLength;
    private final EngineMetrics metrics;
    private final Queue<Item> inbox = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Item> waiting = new ArrayDeque<>();
    private final AtomicInteger queuedRequests = new AtomicInteger();
    private final AtomicLong queuedTokens = new AtomicLong();
    /** Submissions and close take it, so nothing is queued after the loop's last drain. */
    private final Object submitLock = new Object();
    private final Thread thread;
    private float[] hidden = new float[0];
    private volatile long heartbeat;
    private volatile boolean closing;
    private volatile boolean dead;

    private EncoderEngine(BertModel model, EngineConfig config) {
        this.model = model;
        this.encoder = model.newEncoder();
        this.config = config;
        this.maxLength = config.maxModelLen() > 0 ? Math.min(config.maxModelLen(), model.config().contextLength())
                : model.config().contextLength();
        long now = System.nanoTime();
        this.metrics = new EngineMetrics(new DrainRate(DRAIN_WINDOW_SECONDS, now));
        this.heartbeat = now;
        this.thread = Thread.ofPlatform().name("sluice-encoder").daemon(true).unstarted(this::run);
    }

    /** Starts the encoder thread. Uses {@code config}'s batch, admission and length limits; KV settings do not apply. */
    public static EncoderEngine start(BertModel model, EngineConfig config) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(config, "config");
        EncoderEngine e = new EncoderEngine(model, config);
        e.thread.start();
        return e;
    }

    /**
     * Queues one input; the vector goes to {@code listener} on the encoder thread. Never blocks.
     *
     * @throws InvalidRequestException the input is longer than the context or holds a token outside the vocabulary
     * @throws EngineOverloadedException the waiting queue is full
     * @throws EngineClosedException the engine is closed or its thread died
     */
    public RequestHandle embed(EmbeddingRequest request, EmbeddingListener listener) {
        int[] tokens = request.tokensUnsafe();
        if (tokens.length > maxLength) {
            throw new InvalidRequestException("tokens", "the input holds " + tokens.length + " tokens but the model's "
                    + "context is " + maxLength + "; shorten the input");
        }
        for (int t : tokens) {
            if (t < 0 || t >= model.vocabSize()) {
                throw new InvalidRequestException("tokens", "token id " + t + " is outside the vocabulary of "
                        + model.vocabSize());
            }
        }
        Item item = new Item(request, new PooledEmbedding(request, model.config().dim(), listener), System.nanoTime());
        synchronized (submitLock) {
            if (closing || dead) {
                throw new EngineClosedException(dead ? "the encoder loop has stopped after an internal error"
                        : "the engine is shutting down");
            }
            if (queuedRequests.get() >= config.maxWaitingRequests()
                    || queuedTokens.get() + tokens.length > config.maxWaitingTokens()) {
                metrics.rejected();
                double rate = metrics.drainRatePerSecond();
                throw new EngineOverloadedException("the encoder's waiting queue is full (" + queuedRequests.get()
                        + " requests, " + queuedTokens.get() + " tokens)",
                        EngineLoop.retryAfterSeconds(queuedRequests.get(), rate), rate);
            }
            queuedRequests.incrementAndGet();
            queuedTokens.addAndGet(tokens.length);
            inbox.add(item);
        }
        LockSupport.unpark(thread);
        return item;
    }

    public int embeddingLength() {
        return model.config().dim();
    }

    /** The longest input. */
    public int maxLength() {
        return maxLength;
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    public EngineConfig config() {
        return config;
    }

    public long lastHeartbeatNanos() {
        return heartbeat;
    }

    public boolean isAlive() {
        return thread.isAlive() && !dead && !closing;
    }

    /** Stops the thread; inputs not yet encoded finish cancelled. Idempotent. */
    @Override
    public void close() {
        synchronized (submitLock) {
            closing = true;
        }
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (!closing) {
                heartbeat = System.nanoTime();
                Item i;
                while ((i = inbox.poll()) != null) {
                    waiting.add(i);
                }
                waiting.removeIf(this::dropIfCancelled);
                if (waiting.isEmpty()) {
                    metrics.gauges(0, 0, 0);
                    LockSupport.parkNanos(Engine.IDLE_TICK.toNanos());
                    continue;
                }
                step();
            }
        } catch (Throwable t) {
            synchronized (submitLock) {
                dead = true;
            }
            LOG.log(Level.SEVERE, "encoder loop stopped", t);
        }
        Item i;
        while ((i = inbox.poll()) != null) {
            waiting.add(i);
        }
        FinishReason reason = dead ? new FinishReason.Error("the encoder loop failed") : new FinishReason.Cancelled();
        while (!waiting.isEmpty()) {
            finish(waiting.poll(), reason);
        }
    }

    private boolean dropIfCancelled(Item item) {
        if (!item.cancelled.get()) {
            return false;
        }
        queuedRequests.decrementAndGet();
        queuedTokens.addAndGet(-item.request.tokensUnsafe().length);
        return finish(item, new FinishReason.Cancelled());
    }

    /** One pass over as many whole waiting inputs as fit the token budget (at least one). */
    private void step() {
        long start = System.nanoTime();
        List<Item> batch = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>();
        int tokens = 0;
        while (!waiting.isEmpty() && batch.size() < config.maxNumSeqs()) {
            int len = waiting.peek().request.tokensUnsafe().length;
            if (!batch.isEmpty() && tokens + len > config.maxBatchedTokens()) {
                break;
            }
            Item item = waiting.poll();
            batch.add(item);
            sequences.add(item.request.tokensUnsafe());
            tokens += len;
            queuedRequests.decrementAndGet();
            queuedTokens.addAndGet(-len);
            metrics.promptTokens(len);
            metrics.queueTimeHistogram().observe((start - item.arrivalNanos) / 1e9);
        }
        metrics.gauges(waiting.size(), batch.size(), 0);
        int dim = model.config().dim();
        if (hidden.length < tokens * dim) {
            hidden = new float[tokens * dim];
        }
        try {
            encoder.encode(sequences, hidden);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "an encoder pass failed", e);
            for (Item item : batch) {
                finish(item, new FinishReason.Error("the model failed on this batch: " + e.getMessage()));
            }
            return;
        }
        int at = 0;
        for (Item item : batch) {
            int len = item.request.tokensUnsafe().length;
            for (int p = 0; p < len; p++) {
                item.pooled.accept(p, hidden, (at + p) * dim);
            }
            at += len;
            finish(item, new FinishReason.Stop(-1, null));
        }
        long end = System.nanoTime();
        heartbeat = end;
        metrics.stepTimeHistogram().observe((end - start) / 1e9);
        metrics.batchSizeHistogram().observe(batch.size());
        metrics.iterationTokensHistogram().observe(tokens);
    }

    private boolean finish(Item item, FinishReason reason) {
        if (!item.finished.compareAndSet(false, true)) {
            return true;
        }
        long now = System.nanoTime();
        metrics.finished(reason, now);
        metrics.e2eHistogram().observe((now - item.arrivalNanos) / 1e9);
        int len = item.request.tokensUnsafe().length;
        try {
            item.pooled.onFinish(reason, "", new Usage(len, 0, 0));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + item.request.requestId() + ": listener failed", e);
        }
        return true;
    }

    /** One waiting input; also its handle. */
    private final class Item implements RequestHandle {
        final EmbeddingRequest request;
        final PooledEmbedding pooled;
        final long arrivalNanos;
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicBoolean finished = new AtomicBoolean();

        Item(EmbeddingRequest request, PooledEmbedding pooled, long arrivalNanos) {
            this.request = request;
            this.pooled = pooled;
            this.arrivalNanos = arrivalNanos;
        }

        @Override
        public String requestId() {
            return request.requestId();
        }

        @Override
        public void cancel() {
            if (cancelled.compareAndSet(false, true)) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public boolean isFinished() {
            return finished.get();
        }
    }
}
