package ai.sluice.server.serving;

import ai.sluice.engine.GenerationListener;
import ai.sluice.engine.RequestHandle;

import java.util.Map;

/**
 * What the HTTP layer needs from a loaded model and its engine. The server is written against this
 * seam so that protocol behaviour (streaming, cancellation, limits) does not depend on engine
 * internals; {@code EngineServedModel} adapts the real engine.
 */
public interface ServedModel extends AutoCloseable {

    /** Maximum tokens of prompt plus output for one sequence. */
    int contextLength();

    TextCodec codec();

    /**
     * Queues one sequence. The listener is called from the engine's thread: it must not block.
     *
     * @throws OverloadedException when the engine's own waiting queue is full
     */
    RequestHandle submit(GenerationSpec spec, GenerationListener listener);

    /**
     * Whether a request's {@code priority} orders admission (vLLM's priority scheduling: lower first);
     * where it does not, a request must not ask for one.
     */
    default boolean schedulesByPriority() {
        return false;
    }

    /** The embedding side ({@code /v1/embeddings}); null where this model gives none. */
    default Embedder embedder() {
        return null;
    }

    /** A consistent-enough snapshot of the engine's counters for metrics and admission. */
    ServingStats stats();

    /** The KV cache's configuration as labels (vLLM's {@code cache_config_info}); empty where unknown. */
    default Map<String, String> cacheConfig() {
        return Map.of();
    }

    /** {@link System#nanoTime()} of the engine loop's last step or idle tick. */
    long heartbeatNanos();

    /**
     * FAULT INJECTION: hangs the engine loop (no steps, no heartbeat) until the returned handle is
     * closed, so tests of a running server process can see what a hung engine looks like from outside.
     *
     * @throws UnsupportedOperationException where this served model cannot be frozen
     */
    default Frozen freeze() {
        throw new UnsupportedOperationException("this served model cannot be frozen");
    }

    /** Releases a {@link #freeze() frozen} loop. */
    interface Frozen extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    void close();
}
