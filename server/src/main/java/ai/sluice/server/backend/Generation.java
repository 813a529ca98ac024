package ai.sluice.server.backend;

/** A submitted sequence. */
public interface Generation {
    /** Stops the sequence and frees what it holds; the listener then sees {@link FinishReason#CANCELLED}. Idempotent. */
    void cancel();
}
