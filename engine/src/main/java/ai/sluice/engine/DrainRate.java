package ai.sluice.engine;

/**
 * Finished requests per second over a sliding window of one-second buckets. Written by the engine
 * thread, read by any thread (the buckets are guarded by the instance lock).
 */
final class DrainRate {
    private static final long SECOND = 1_000_000_000L;

    private final long[] counts;
    private final long[] bucketSecond;
    private final long originNanos;

    DrainRate(int windowSeconds, long originNanos) {
        this.counts = new long[windowSeconds];
        this.bucketSecond = new long[windowSeconds];
        java.util.Arrays.fill(bucketSecond, -1);
        this.originNanos = originNanos;
    }

    synchronized void record(long nowNanos) {
        long second = (nowNanos - originNanos) / SECOND;
        int i = (int) (second % counts.length);
        if (bucketSecond[i] != second) {
            bucketSecond[i] = second;
            counts[i] = 0;
        }
        counts[i]++;
    }

    /** Requests per second over the window (only the seconds elapsed since start count while it is younger). */
    synchronized double perSecond(long nowNanos) {
        long second = (nowNanos - originNanos) / SECOND;
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            if (bucketSecond[i] >= 0 && second - bucketSecond[i] < counts.length) {
                total += counts[i];
            }
        }
        double window = Math.min(counts.length, Math.max(1.0, (nowNanos - originNanos) / (double) SECOND));
        return total / window;
    }
}
