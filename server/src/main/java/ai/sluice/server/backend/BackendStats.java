package ai.sluice.server.backend;

/**
 * Engine counters at one instant. Counters are totals since start; gauges are current values.
 */
public record BackendStats(int waiting, int running, double kvCacheUsage, long preemptions,
                           long prefixCacheQueries, long prefixCacheHits, long promptTokens,
                           long generationTokens) {
}
