package ai.sluice.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * Continuous batching over a paged KV cache: requests are submitted from any thread; one engine
 * thread runs steps, each one forward pass over a batch mixing decodes and prefill chunks.
 *
 * <p>Memory is fixed at {@link #start}: the KV pool is allocated once from the budget, so load can
 * only queue, preempt (recompute later) or reject requests, never exhaust memory. If the budget
 * cannot hold one sequence of {@link #maxModelLen()} tokens, {@link #start} refuses with a message
 * saying what to change.
 *
 * <p>Liveness: the loop updates {@link #lastHeartbeatNanos()} before every step, after every 64
 * tokens of model work within a step, and at least every {@link #IDLE_TICK} while idle. A health
 * check should allow a few times the model's time for 64 tokens (seconds on a CPU for a 1B model)
 * before calling the loop hung.
 */
public final class Engine implements AutoCloseable {
    /** Longest wait of the idle loop between heartbeats. */
    public static final Duration IDLE_TICK = Duration.ofMillis(50);

    private final EngineLoop loop;

    private Engine(EngineLoop loop) {
        this.loop = loop;
    }

    /**
     * Allocates the KV cache from {@code config}'s budget and starts the engine thread. Takes
     * ownership of {@code runner} (closed with the engine).
     *
     * @throws EngineConfigurationException when the budget cannot hold one sequence of maxModelLen
     *         tokens, or maxModelLen exceeds the model's context; the message says what to change
     */
    public static Engine start(ModelRunner runner, EngineConfig config) {
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(config, "config");
        return new Engine(EngineLoop.start(runner, config));
    }

    /**
     * Queues {@code request}; its output goes to {@code listener} on the engine thread (see
     * {@link GenerationListener} for the rules callbacks must follow). Never blocks.
     *
     * @throws EngineOverloadedException the waiting queue is full (by requests or prompt tokens)
     * @throws InvalidRequestException the prompt is longer than maxModelLen - 1 or holds a token
     *         outside the vocabulary
     * @throws EngineClosedException the engine is closed or its loop died
     */
    public RequestHandle submit(GenerationRequest request, GenerationListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        return loop.submit(request, listener);
    }

    /**
     * Queues an embedding: a prefill-only sequence, scheduled, batched and KV-budgeted like any
     * prompt, whose final hidden states are pooled instead of sampled. The result goes to
     * {@code listener} on the engine thread. Never blocks.
     *
     * @throws EngineOverloadedException the waiting queue is full
     * @throws InvalidRequestException the input is longer than maxModelLen, holds a token outside
     *         the vocabulary, or the model gives no hidden states
     * @throws EngineClosedException the engine is closed or its loop died
     */
    public RequestHandle embed(EmbeddingRequest request, EmbeddingListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        return loop.embed(request, listener);
    }

    /** Width of the embeddings {@link #embed} gives (the model's hidden size); 0 where it gives none. */
    public int embeddingLength() {
        return loop.hiddenSize();
    }

    /** Live metrics. */
    public EngineMetrics metrics() {
        return loop.metrics();
    }

    public EngineConfig config() {
        return loop.config();
    }

    /** The longest sequence (prompt plus output) admitted. */
    public int maxModelLen() {
        return loop.layout().maxModelLen();
    }

    public int vocabSize() {
        return loop.vocabSize();
    }

    /** The KV pool allocated at start. */
    public KvCacheLayout kvCacheLayout() {
        return loop.layout();
    }

    /** {@link System#nanoTime()} of the loop's last step or idle tick. */
    public long lastHeartbeatNanos() {
        return loop.lastHeartbeatNanos();
    }

    /** Whether the engine thread is running (not closed, not died). Combine with the heartbeat age for health. */
    public boolean isAlive() {
        return loop.isAlive();
    }

    /** Waits until no request is waiting or running (drain); false on timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return loop.awaitIdle(timeout);
    }

    /**
     * TEST ONLY: stops the loop at its next step or idle tick, without updating the heartbeat, until
     * the returned handle is closed (to see a health check turn unhealthy). Never call in production.
     */
    public Freeze freezeLoopForTesting() {
        return loop.freeze();
    }

    /**
     * Stops the engine: requests still waiting or running finish with {@link FinishReason.Cancelled},
     * the thread ends, the KV pool is freed. Idempotent.
     */
    @Override
    public void close() {
        loop.close();
    }

    /** Releases a {@link #freezeLoopForTesting() frozen} loop. */
    public interface Freeze extends AutoCloseable {
        @Override
        void close();
    }
}
