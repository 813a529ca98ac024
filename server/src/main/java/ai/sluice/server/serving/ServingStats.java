package ai.sluice.server.serving;

import java.util.Map;

/**
 * Engine metrics at one instant, in vLLM's terms. Counters are totals since start; gauges are
 * current values; latency histograms are the engine's own (arrival, admission, tokens and finish
 * are engine events).
 *
 * @param finishedByReason finished requests by vLLM's {@code finished_reason} (stop, length, abort, error)
 * @param resumedRequests  requests that continued another run from its token ids (stream resume)
 * @param resumedTokens    the tokens they continued after (generated elsewhere, not here)
 */
public record ServingStats(int waiting, int running, double kvCacheUsage, long preemptions,
                           long prefixCacheQueries, long prefixCacheHits, long promptTokens,
                           long generationTokens, Map<String, Long> finishedByReason,
                           HistogramData timeToFirstToken, HistogramData interTokenLatency,
                           HistogramData e2eRequestLatency, HistogramData requestQueueTime,
                           HistogramData iterationTokens, HistogramData requestPromptTokens,
                           HistogramData requestGenerationTokens, HistogramData requestPrefillTime,
                           HistogramData requestDecodeTime, long resumedRequests, long resumedTokens) {

    /** Stats of a served model that never resumes. */
    public ServingStats(int waiting, int running, double kvCacheUsage, long preemptions, long prefixCacheQueries,
                        long prefixCacheHits, long promptTokens, long generationTokens,
                        Map<String, Long> finishedByReason, HistogramData timeToFirstToken,
                        HistogramData interTokenLatency, HistogramData e2eRequestLatency,
                        HistogramData requestQueueTime, HistogramData iterationTokens,
                        HistogramData requestPromptTokens, HistogramData requestGenerationTokens,
                        HistogramData requestPrefillTime, HistogramData requestDecodeTime) {
        this(waiting, running, kvCacheUsage, preemptions, prefixCacheQueries, prefixCacheHits, promptTokens,
                generationTokens, finishedByReason, timeToFirstToken, interTokenLatency, e2eRequestLatency,
                requestQueueTime, iterationTokens, requestPromptTokens, requestGenerationTokens, requestPrefillTime,
                requestDecodeTime, 0, 0);
    }

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
