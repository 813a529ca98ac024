package ai.sluice.server.serving;

import java.util.Map;

/**
 * Engine metrics at one instant, in vLLM's terms. Counters are totals since start; gauges are
 * current values; latency histograms are the engine's own (arrival, admission, tokens and finish
 * are engine events).
 *
 * @param finishedByReason finished requests by vLLM's {@code finished_reason} (stop, length, abort, error)
 */
public record ServingStats(int waiting, int running, double kvCacheUsage, long preemptions,
                           long prefixCacheQueries, long prefixCacheHits, long promptTokens,
                           long generationTokens, Map<String, Long> finishedByReason,
                           HistogramData timeToFirstToken, HistogramData interTokenLatency,
                           HistogramData e2eRequestLatency, HistogramData requestQueueTime,
                           HistogramData iterationTokens, HistogramData requestPromptTokens,
                           HistogramData requestGenerationTokens, HistogramData requestPrefillTime,
                           HistogramData requestDecodeTime) {

    /**
     * A fixed-bucket histogram.
     *
     * @param upperBounds increasing bucket bounds, without +Inf
     * @param counts      per-bucket counts (not cumulative), one more than the bounds: the last is +Inf
     */
    public record HistogramData(double[] upperBounds, long[] counts, double sum, long count) {
        public static HistogramData empty(double[] upperBounds) {
            return new HistogramData(upperBounds, new long[upperBounds.length + 1], 0, 0);
        }
    }
}
