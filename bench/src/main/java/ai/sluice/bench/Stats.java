package ai.sluice.bench;

import java.util.Arrays;

/**
 * Summary of one latency distribution in milliseconds. Percentiles interpolate linearly between the two nearest
 * ranks, as numpy's default (what vLLM's benchmark reports), computed exactly by sorting.
 */
public record Stats(int count, double mean, double median, double p90, double p99, double min, double max) {

    public static Stats of(double[] values) {
        if (values.length == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new Stats(sorted.length, sum / sorted.length, percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), sorted[0], sorted[sorted.length - 1]);
    }

    /** The p-th percentile of sorted values: rank p/100 * (n - 1), linear between neighbours. */
    public static double percentile(double[] sorted, double p) {
        double rank = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
