package ai.sluice.bench;

/** Hears about progress while requests run (for the live progress line). Must be thread-safe and cheap. */
public interface ChunkListener {
    ChunkListener NONE = new ChunkListener() {
    };

    /** A content chunk arrived. */
    default void onChunk() {
    }

    /** A request finished (successfully or not). */
    default void onDone(RequestRecord record) {
    }
}
