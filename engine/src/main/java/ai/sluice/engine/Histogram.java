package ai.sluice.engine;

import java.util.Arrays;

/**
 * A fixed-bucket histogram (Prometheus style: upper bounds, plus an implicit +Inf). Written by the
 * engine thread, read by any thread; both under the instance lock, which is uncontended in
 * practice (a scrape every few seconds).
 */
public final class Histogram {
    /** vLLM's buckets for time to first token, seconds. */
    public static final double[] TTFT_SECONDS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
        1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    /** vLLM's buckets for inter-token latency, seconds. */
    public static final double[] INTER_TOKEN_SECONDS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5,
        0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    /** vLLM's buckets for request latencies (end to end, queue), seconds. */
    public static final double[] REQUEST_SECONDS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0,
        40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
    /** Buckets for the duration of one engine step, seconds. */
    public static final double[] STEP_SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        5.0, 10.0};
    /** Buckets for sequences per step. */
    public static final double[] BATCH_SIZE = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    /** vLLM's buckets for tokens computed in one engine step. */
    public static final double[] ITERATION_TOKENS = {1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
    /** 1-2-5 buckets for a request's prompt or output length, tokens (vLLM's shape, to 100k). */
    public static final double[] REQUEST_TOKENS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000,
        20000, 50000, 100000};

    private final double[] upperBounds;
    private final long[] counts;
    private double sum;
    private long count;

    public Histogram(double[] upperBounds) {
        for (int i = 1; i < upperBounds.length; i++) {
            if (!(upperBounds[i] > upperBounds[i - 1])) {
                throw new IllegalArgumentException("bucket bounds must increase: " + Arrays.toString(upperBounds));
            }
        }
        this.upperBounds = upperBounds.clone();
        this.counts = new long[upperBounds.length + 1];
    }

    /** Records one value. */
    public synchronized void observe(double value) {
        int i = 0;
        while (i < upperBounds.length && value > upperBounds[i]) {
            i++;
        }
        counts[i]++;
        sum += value;
        count++;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(upperBounds.clone(), counts.clone(), sum, count);
    }

    /**
     * A consistent copy.
     *
     * @param upperBounds bucket upper bounds (inclusive), increasing; +Inf is implicit
     * @param counts per-bucket counts (NOT cumulative), one more than the bounds: the last is the +Inf bucket
     * @param sum sum of observed values
     * @param count number of observations
     */
    public record Snapshot(double[] upperBounds, long[] counts, double sum, long count) {
        /** Observations at or below {@code upperBounds[i]} (Prometheus' {@code le} buckets). */
        public long cumulativeCount(int i) {
            long c = 0;
            for (int j = 0; j <= i; j++) {
                c += counts[j];
            }
            return c;
        }
    }
}
