package ai.sluice.server.serving;

/** The engine refused a sequence because its waiting queue is full; the client should retry later. */
public final class OverloadedException extends RuntimeException {
    private final long retryAfterSeconds;

    /** @param retryAfterSeconds when the queue is expected to have room, from its recent drain rate (>= 1) */
    public OverloadedException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
