package ai.sluice.server.generate;

import java.util.ArrayDeque;

/**
 * The bounded waiting queue in front of the engine. A request waits from admission until its first
 * token (its prefill is done); when admitting it would exceed the request or prompt-token bound it is
 * refused, and the caller answers 429 with {@link #retryAfterSeconds()}, estimated from how fast
 * waiting requests have recently started.
 */
public final class Admission {
    private static final int RATE_SAMPLES = 64;
    private static final long RATE_WINDOW_NANOS = 30_000_000_000L;

    private final int maxWaitingRequests;
    private final long maxWaitingTokens;
    private final ArrayDeque<Long> recentStarts = new ArrayDeque<>();
    private int waitingRequests;
    private long waitingTokens;

    public Admission(int maxWaitingRequests, long maxWaitingTokens) {
        this.maxWaitingRequests = maxWaitingRequests;
        this.maxWaitingTokens = maxWaitingTokens;
    }

    /** A place in the queue for {@code promptTokens} tokens, or null when the queue is full. */
    public synchronized Ticket tryAdmit(long promptTokens) {
        if (waitingRequests + 1 > maxWaitingRequests
                || (waitingRequests > 0 && waitingTokens + promptTokens > maxWaitingTokens)) {
            return null;
        }
        waitingRequests++;
        waitingTokens += promptTokens;
        return new Ticket(promptTokens);
    }

    public synchronized int waitingRequests() {
        return waitingRequests;
    }

    /** Seconds until the present queue has likely drained enough to take one more request; 1..60. */
    public synchronized long retryAfterSeconds() {
        long now = System.nanoTime();
        prune(now);
        if (recentStarts.size() < 2) {
            return waitingRequests == 0 ? 1 : 10;
        }
        double seconds = (now - recentStarts.peekFirst()) / 1e9;
        double perSecond = (recentStarts.size() - 1) / Math.max(seconds, 1e-3);
        int needed = Math.max(1, waitingRequests + 1 - maxWaitingRequests);
        long eta = (long) Math.ceil(needed / perSecond);
        return Math.clamp(eta, 1, 60);
    }

    private synchronized void leave(Ticket t, boolean started) {
        waitingRequests--;
        waitingTokens -= t.tokens;
        if (started) {
            long now = System.nanoTime();
            recentStarts.addLast(now);
            if (recentStarts.size() > RATE_SAMPLES) {
                recentStarts.removeFirst();
            }
        }
    }

    private void prune(long now) {
        while (!recentStarts.isEmpty() && now - recentStarts.peekFirst() > RATE_WINDOW_NANOS) {
            recentStarts.removeFirst();
        }
    }

    /** One admitted request's place in the queue. */
    public final class Ticket implements AutoCloseable {
        private final long tokens;
        private boolean left;

        private Ticket(long tokens) {
            this.tokens = tokens;
        }

        /** The first token arrived: the request leaves the queue. */
        public void started() {
            leaveOnce(true);
        }

        /** The request ended (possibly without ever starting). */
        @Override
        public void close() {
            leaveOnce(false);
        }

        private void leaveOnce(boolean started) {
            synchronized (Admission.this) {
                if (!left) {
                    left = true;
                    leave(this, started);
                }
            }
        }
    }
}
