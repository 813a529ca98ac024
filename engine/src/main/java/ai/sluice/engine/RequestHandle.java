package ai.sluice.engine;

/** A submitted request. Thread-safe. */
public interface RequestHandle {

    String requestId();

    /**
     * Asks the engine to stop this request. Idempotent, never blocks; the engine finishes it with
     * {@link FinishReason.Cancelled} and frees its KV blocks at its next step. Has no effect once
     * the request has finished.
     */
    void cancel();

    /** Whether {@link GenerationListener#onFinish} has been called. */
    boolean isFinished();
}
