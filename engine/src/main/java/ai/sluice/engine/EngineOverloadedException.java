package ai.sluice.engine;

/**
 * The waiting queue is full (by requests or by tokens); nothing was queued. The server answers 429
 * with {@code Retry-After: retryAfterSeconds()}.
 */
public final class EngineOverloadedException extends EngineException {
    private final long retryAfterSeconds;
    private final double drainRatePerSecond;

    public EngineOverloadedException(String message, long retryAfterSeconds, double drainRatePerSecond) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
        this.drainRatePerSecond = drainRatePerSecond;
    }

    /** Seconds until the queue is expected to have room, from the recent drain rate; at least 1. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Requests finished per second over the recent window. */
    public double drainRatePerSecond() {
        return drainRatePerSecond;
    }
}
