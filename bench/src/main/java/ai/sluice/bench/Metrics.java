package ai.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Turns request timelines into {@link BenchResult}: pure arithmetic, no clocks, so tests can feed hand-made timelines. */
public final class Metrics {
    private static final double NANOS_PER_MS = 1e6;
    private static final double NANOS_PER_S = 1e9;

    private Metrics() {
    }

    /**
     * @param load          a description of the load pattern, for the report
     * @param durationNanos measured duration (first send to last completion)
     */
    public static BenchResult summarize(String load, List<RequestRecord> records, long durationNanos, Slo slo) {
        double durationS = Math.max(durationNanos, 1) / NANOS_PER_S;
        List<Double> ttfts = new ArrayList<>();
        List<Double> tpots = new ArrayList<>();
        List<Double> itls = new ArrayList<>();
        List<Double> e2els = new ArrayList<>();
        Map<String, Integer> errors = new TreeMap<>();
        List<BenchResult.RequestSummary> perRequest = new ArrayList<>(records.size());
        long totalIn = 0;
        long totalOut = 0;
        int completed = 0;
        int good = 0;
        boolean allUsage = true;
        for (RequestRecord r : records) {
            if (!r.ok()) {
                errors.merge(r.error().label(), 1, Integer::sum);
                perRequest.add(new BenchResult.RequestSummary(r.index(), r.startNanos() / NANOS_PER_MS, null, null,
                        null, r.promptTokens(), 0, r.error().detail()));
                continue;
            }
            completed++;
            allUsage &= r.usageReported();
            totalIn += r.promptTokens();
            totalOut += r.outputTokens();
            double ttft = r.ttftNanos() / NANOS_PER_MS;
            double e2el = r.latencyNanos() / NANOS_PER_MS;
            double tpot = r.tpotNanos() / NANOS_PER_MS;
            ttfts.add(ttft);
            e2els.add(e2el);
            if (!Double.isNaN(tpot)) {
                tpots.add(tpot);
            }
            for (long gap : r.itlNanos()) {
                itls.add(gap / NANOS_PER_MS);
            }
            if (slo.any() && slo.metBy(r)) {
                good++;
            }
            perRequest.add(new BenchResult.RequestSummary(r.index(), r.startNanos() / NANOS_PER_MS, ttft,
                    Double.isNaN(tpot) ? null : tpot, e2el, r.promptTokens(), r.outputTokens(), null));
        }
        return new BenchResult(load, durationS, records.size(), completed, records.size() - completed, errors,
                totalIn, totalOut, allUsage && completed > 0, completed / durationS, totalOut / durationS,
                (totalIn + totalOut) / durationS,
                slo.any() ? good / durationS : null,
                slo.any() ? (records.isEmpty() ? 0.0 : (double) good / records.size()) : null,
                Stats.of(unbox(ttfts)), Stats.of(unbox(tpots)), Stats.of(unbox(itls)), Stats.of(unbox(e2els)),
                throughputBins(records, durationNanos), perRequest);
    }

    /**
     * Output tokens in each one-second bin (the last bin may cover less than a second). A request's tokens are spread evenly over its content chunks, so a server
     * that packs several tokens into one chunk still adds up to the usage count.
     */
    static List<BenchResult.ThroughputBin> throughputBins(List<RequestRecord> records, long durationNanos) {
        int bins = (int) Math.max(1, Math.ceil(durationNanos / NANOS_PER_S));
        double[] tokens = new double[bins];
        for (RequestRecord r : records) {
            if (!r.ok() || r.chunkNanos().length == 0) {
                continue;
            }
            double perChunk = (double) r.outputTokens() / r.chunkNanos().length;
            for (long t : r.chunkNanos()) {
                int bin = (int) Math.min(bins - 1, Math.max(0, t / (long) NANOS_PER_S));
                tokens[bin] += perChunk;
            }
        }
        List<BenchResult.ThroughputBin> out = new ArrayList<>(bins);
        for (int i = 0; i < bins; i++) {
            out.add(new BenchResult.ThroughputBin(i, tokens[i]));
        }
        return out;
    }

    private static double[] unbox(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
