package ai.sluice.bench;

import java.util.Locale;
import java.util.Map;

/** The plain-text summary printed at the end of a run (vLLM's layout, with p90 added). */
public final class SummaryTable {
    private SummaryTable() {
    }

    public static String render(Bench.Outcome outcome) {
        return outcome.single() != null ? single(outcome.info(), outcome.single()) : sweep(outcome.sweep());
    }

    static String single(Bench.RunInfo info, BenchResult r) {
        StringBuilder b = new StringBuilder();
        b.append("============ Serving Benchmark Result ============\n");
        row(b, "Model", info.model());
        row(b, "Load", r.load());
        row(b, "Successful requests", Integer.toString(r.completed()));
        row(b, "Failed requests", Integer.toString(r.failed()) + errors(r.errors()));
        row(b, "Benchmark duration (s)", num(r.durationS()));
        row(b, "Total input tokens", r.totalInputTokens() + (r.tokensFromUsage() ? ""
                : info.tokenCounting().startsWith("exact") ? " (counted by the server's /tokenize)"
                : " (estimated: one token per word)"));
        row(b, "Total generated tokens", r.totalOutputTokens() + (r.tokensFromUsage() ? "" : " (counted as chunks)"));
        row(b, "Request throughput (req/s)", num(r.requestThroughput()));
        if (r.goodput() != null) {
            row(b, "Request goodput (req/s)", num(r.goodput()));
            row(b, "SLO attainment (%)", num(r.sloAttainment() * 100));
            row(b, "SLOs met", verdict(info, r));
        }
        row(b, "Output token throughput (tok/s)", num(r.outputThroughput()));
        row(b, "Total token throughput (tok/s)", num(r.totalTokenThroughput()));
        b.append(String.format(Locale.ROOT, "%-32s %9s %9s %9s %9s%n", "latency (ms)", "mean", "median", "p90", "p99"));
        stats(b, "TTFT", r.ttftMs());
        stats(b, "TPOT (excl. 1st token)", r.tpotMs());
        stats(b, "ITL", r.itlMs());
        stats(b, "E2E latency", r.e2elMs());
        b.append("==================================================\n");
        return b.toString();
    }

    static String sweep(SweepResult s) {
        StringBuilder b = new StringBuilder();
        b.append("================ Sweep over rates ================\n");
        b.append(String.format(Locale.ROOT, "%7s %7s %9s %9s %9s %9s %9s %6s %11s %4s%n", "rate", "req/s", "out tok/s",
                "TTFT p50", "TTFT p99", "TPOT p50", "TPOT p99", "SLO%", "queue mean", "ok"));
        for (SweepResult.Step step : s.steps()) {
            BenchResult r = step.result();
            b.append(String.format(Locale.ROOT, "%7s %7s %9s %9s %9s %9s %9s %6s %11s %4s%n", num(step.rate()),
                    num(r.requestThroughput()), num(r.outputThroughput()), num(r.ttftMs().median()),
                    num(r.ttftMs().p99()), num(r.tpotMs().median()), num(r.tpotMs().p99()),
                    r.sloAttainment() == null ? "-" : num(r.sloAttainment() * 100),
                    Double.isNaN(step.meanQueue()) ? "-" : num(step.meanQueue()), step.meetsSlo() ? "yes" : "NO"));
        }
        b.append(s.bestRate() == null ? "No rate met the SLOs.\n"
                : "Highest rate meeting the SLOs: " + num(s.bestRate()) + " req/s\n");
        b.append(s.hpa().message()).append('\n');
        b.append("==================================================\n");
        return b.toString();
    }

    /**
     * Whether the run met its SLOs, as a sweep step is judged: no failed request and at least the required
     * fraction of requests within every SLO.
     */
    static boolean metSlos(Bench.RunInfo info, BenchResult r) {
        return r.failed() == 0 && r.sloAttainment() != null && r.sloAttainment() >= info.sloAttainment();
    }

    static String verdict(Bench.RunInfo info, BenchResult r) {
        String need = num(info.sloAttainment() * 100) + "% of requests needed";
        if (metSlos(info, r)) {
            return "yes (" + need + ")";
        }
        return "NO (" + num(r.sloAttainment() * 100) + "% met, " + need
                + (r.failed() > 0 ? "; " + r.failed() + " failed" : "") + ")";
    }

    private static String errors(Map<String, Integer> errors) {
        if (errors.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(" (");
        errors.forEach((k, v) -> b.append(b.length() > 2 ? ", " : "").append(k).append(' ').append(v));
        return b.append(')').toString();
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "%-40s %s%n", name + ":", value));
    }

    private static void stats(StringBuilder b, String name, Stats s) {
        b.append(String.format(Locale.ROOT, "%-32s %9s %9s %9s %9s%n", name, num(s.mean()), num(s.median()),
                num(s.p90()), num(s.p99())));
    }

    static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
