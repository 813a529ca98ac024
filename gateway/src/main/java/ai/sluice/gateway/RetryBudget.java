package ai.sluice.gateway;

/**
 * Caps retries so that a sick fleet is not hit with a retry storm: every request earns {@code ratio} of a retry,
 * and {@code minPerSecond} retries are always allowed on top (a quiet gateway can still fail over). A token
 * bucket, capped at one second of floor plus twenty requests' worth: one replica of three dying at once sends a
 * third of the requests in flight back for a retry, and that burst must fit.
 */
public final class RetryBudget {
    private final double ratio;
    private final double minPerSecond;
    private final double cap;
    private double tokens;
    private long lastNanos = System.nanoTime();

    public RetryBudget(double ratio, double minPerSecond) {
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        this.cap = Math.max(1, minPerSecond + 20 * ratio);
        this.tokens = cap;
    }

    public synchronized void onRequest() {
        refill();
        tokens = Math.min(cap, tokens + ratio);
    }

    /** Takes one retry from the budget; false when it is spent. */
    public synchronized boolean tryRetry() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(cap, tokens + minPerSecond * (now - lastNanos) / 1e9);
        lastNanos = now;
    }
}
