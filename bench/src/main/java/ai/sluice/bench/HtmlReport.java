package ai.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One self-contained HTML page: run settings, the summary, and inline SVG charts (latency CDFs, throughput over time,
 * and in sweep mode latency and queue depth against load). No scripts or stylesheets from elsewhere, so it opens
 * offline and can be attached to a ticket as is.
 */
public final class HtmlReport {
    private HtmlReport() {
    }

    public static String render(Bench.Outcome outcome) {
        Bench.RunInfo info = outcome.info();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>sluice bench: ")
                .append(SvgChart.escape(info.model())).append("</title>\n<style>body{font-family:sans-serif;"
                        + "margin:2em;max-width:1400px}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
                        + "padding:3px 8px;text-align:left}pre{background:#f6f6f6;padding:1em}"
                        + ".charts{display:flex;flex-wrap:wrap;gap:12px}"
                        + ".verdict{font-size:1.3em;font-weight:bold;padding:.6em 1em;border-radius:4px;margin:1em 0}"
                        + ".pass{background:#e3f4e3;color:#155724;border:2px solid #2e7d32}"
                        + ".miss{background:#fde2e2;color:#8b0000;border:2px solid #c62828}"
                        + "tr.miss td{background:#fde2e2}</style>\n</head><body>\n");
        h.append("<h1>sluice bench</h1>\n");
        verdict(h, outcome);
        h.append("<table>\n");
        row(h, "server", info.url());
        row(h, "model", info.model());
        row(h, "load", info.load());
        row(h, "requests", (info.durationS() != null ? "sent for " + SummaryTable.num(info.durationS()) + " s"
                : info.requests() + " measured") + ", " + info.warmup() + " warm-up");
        row(h, "prompts", info.prompts() + "; token counts " + info.tokenCounting());
        row(h, "prompt lengths", info.promptLengths());
        row(h, "SLOs", slos(info));
        row(h, "seed", Long.toString(info.seed()));
        row(h, "started", info.startedAt());
        h.append("</table>\n<h2>Summary</h2>\n<pre>").append(SvgChart.escape(SummaryTable.render(outcome)))
                .append("</pre>\n");
        if (outcome.sweep() != null) {
            sweepTable(h, outcome.sweep());
        }
        serverMetrics(h, outcome.server());
        h.append("<h2>Charts</h2>\n<div class=\"charts\">\n");
        for (String svg : outcome.single() != null ? singleCharts(info, outcome.single())
                : sweepCharts(info, outcome.sweep())) {
            h.append(svg);
        }
        h.append("</div>\n</body></html>\n");
        return h.toString();
    }

    /** The first thing on the page: did the run meet its SLOs (or, without SLOs, did any request fail)? */
    private static void verdict(StringBuilder h, Bench.Outcome outcome) {
        Bench.RunInfo info = outcome.info();
        boolean pass;
        String text;
        if (outcome.single() != null) {
            BenchResult r = outcome.single();
            if (r.sloAttainment() != null) {
                pass = SummaryTable.metSlos(info, r);
                text = (pass ? "SLOs met: " : "SLO MISSED: ") + SummaryTable.num(r.sloAttainment() * 100)
                        + "% of requests within " + slos(info) + (r.failed() > 0 ? "; " + r.failed() + " failed" : "");
            } else {
                pass = r.failed() == 0;
                text = pass ? "All " + r.completed() + " requests succeeded (no SLOs given)"
                        : r.failed() + " of " + r.requests() + " requests FAILED (no SLOs given)";
            }
        } else {
            SweepResult s = outcome.sweep();
            pass = s.bestRate() != null;
            long missed = s.steps().stream().filter(step -> !step.meetsSlo()).count();
            text = pass ? "Highest rate meeting the SLOs: " + SummaryTable.num(s.bestRate()) + " req/s"
                    + (missed > 0 ? " (" + missed + " step missed them)" : "")
                    : "SLO MISSED at every rate swept: no rate met " + slos(info);
        }
        h.append("<div class=\"verdict ").append(pass ? "pass" : "miss").append("\">")
                .append(pass ? "&#10004; " : "&#10008; ").append(SvgChart.escape(text)).append("</div>\n");
    }

    private static void sweepTable(StringBuilder h, SweepResult s) {
        h.append("<h2>Sweep steps</h2>\n<table>\n<tr><th>rate (req/s)</th><th>achieved req/s</th><th>TTFT p99 (ms)"
                + "</th><th>TPOT p99 (ms)</th><th>SLO attainment (%)</th><th>failed</th><th>SLOs met</th></tr>\n");
        for (SweepResult.Step step : s.steps()) {
            BenchResult r = step.result();
            h.append("<tr class=\"").append(step.meetsSlo() ? "pass" : "miss").append("\"><td>")
                    .append(SummaryTable.num(step.rate())).append("</td><td>")
                    .append(SummaryTable.num(r.requestThroughput())).append("</td><td>")
                    .append(SummaryTable.num(r.ttftMs().p99())).append("</td><td>")
                    .append(SummaryTable.num(r.tpotMs().p99())).append("</td><td>")
                    .append(r.sloAttainment() == null ? "-" : SummaryTable.num(r.sloAttainment() * 100))
                    .append("</td><td>").append(r.failed()).append("</td><td>")
                    .append(step.meetsSlo() ? "yes" : "<b>NO</b>").append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    /** What the server's own /metrics counted during each measured run, one column per run. */
    private static void serverMetrics(StringBuilder h, List<ServerMetrics> runs) {
        if (runs.isEmpty()) {
            h.append("<h2>Server-side metrics</h2>\n<p>Not scraped: the server has no <code>/metrics</code>.</p>\n");
            return;
        }
        List<String> names = new ArrayList<>();
        for (ServerMetrics m : runs) {
            for (ServerMetrics.Row row : m.rows()) {
                if (!names.contains(row.name())) {
                    names.add(row.name());
                }
            }
        }
        h.append("<h2>Server-side metrics</h2>\n<p>From the server's own <code>/metrics</code>, scraped before and "
                + "after each measured run (counter deltas and histogram means over the run).</p>\n<table>\n<tr>"
                + "<th>metric</th>");
        for (ServerMetrics m : runs) {
            h.append("<th>").append(SvgChart.escape(m.label())).append("</th>");
        }
        h.append("<th>series</th></tr>\n");
        for (String name : names) {
            h.append("<tr><td>").append(SvgChart.escape(name)).append("</td>");
            String series = "";
            for (ServerMetrics m : runs) {
                ServerMetrics.Row row = m.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
                h.append("<td>").append(row == null ? "-" : SvgChart.escape(row.value())).append("</td>");
                series = row == null ? series : row.series();
            }
            h.append("<td><code>").append(SvgChart.escape(series)).append("</code></td></tr>\n");
        }
        if (names.isEmpty()) {
            h.append("<tr><td colspan=\"").append(runs.size() + 2)
                    .append("\">the server's /metrics has none of the vLLM or llama.cpp series bench reads</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static List<String> singleCharts(Bench.RunInfo info, BenchResult r) {
        List<String> charts = new ArrayList<>();
        charts.add(cdf("TTFT CDF", "TTFT (ms)", List.of(r), List.of("TTFT"), BenchResult.RequestSummary::ttftMs,
                info.sloTtftMs()));
        charts.add(cdf("TPOT CDF", "TPOT (ms)", List.of(r), List.of("TPOT"), BenchResult.RequestSummary::tpotMs,
                info.sloTpotMs()));
        charts.add(cdf("End-to-end latency CDF", "E2E latency (ms)", List.of(r), List.of("E2E"),
                BenchResult.RequestSummary::e2elMs, null));
        charts.add(throughput(List.of(r), List.of("output")));
        return charts;
    }

    private static List<String> sweepCharts(Bench.RunInfo info, SweepResult s) {
        List<BenchResult> results = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int n = s.steps().size();
        double[] rate = new double[n];
        double[] ttft50 = new double[n];
        double[] ttft99 = new double[n];
        double[] tpot50 = new double[n];
        double[] tpot99 = new double[n];
        double[] achieved = new double[n];
        double[] queue = new double[n];
        for (int i = 0; i < n; i++) {
            SweepResult.Step step = s.steps().get(i);
            results.add(step.result());
            names.add(SummaryTable.num(step.rate()) + " req/s");
            rate[i] = step.rate();
            ttft50[i] = step.result().ttftMs().median();
            ttft99[i] = step.result().ttftMs().p99();
            tpot50[i] = step.result().tpotMs().median();
            tpot99[i] = step.result().tpotMs().p99();
            achieved[i] = step.result().requestThroughput();
            queue[i] = step.meanQueue();
        }
        List<String> charts = new ArrayList<>();
        SvgChart ttft = new SvgChart("TTFT against load", "offered rate (req/s)", "TTFT (ms)")
                .add(new SvgChart.Series("median", rate, ttft50, true))
                .add(new SvgChart.Series("p99", rate, ttft99, true));
        if (info.sloTtftMs() != null) {
            ttft.threshold(info.sloTtftMs(), "TTFT SLO");
        }
        charts.add(ttft.render());
        SvgChart tpot = new SvgChart("TPOT against load", "offered rate (req/s)", "TPOT (ms)")
                .add(new SvgChart.Series("median", rate, tpot50, true))
                .add(new SvgChart.Series("p99", rate, tpot99, true));
        if (info.sloTpotMs() != null) {
            tpot.threshold(info.sloTpotMs(), "TPOT SLO");
        }
        charts.add(tpot.render());
        charts.add(new SvgChart("Achieved throughput and queue", "offered rate (req/s)", "req/s, requests waiting")
                .add(new SvgChart.Series("achieved req/s", rate, achieved, true))
                .add(new SvgChart.Series("mean queue", rate, queue, true)).render());
        if (!s.hpa().byDepth().isEmpty()) {
            int m = s.hpa().byDepth().size();
            double[] depth = new double[m];
            double[] attained = new double[m];
            for (int i = 0; i < m; i++) {
                depth[i] = s.hpa().byDepth().get(i).depth();
                attained[i] = s.hpa().byDepth().get(i).ttftAttainment() * 100;
            }
            charts.add(new SvgChart("TTFT SLO attainment by queue depth at arrival", "requests waiting",
                    "requests meeting TTFT SLO (%)").add(new SvgChart.Series("attainment", depth, attained, true))
                    .threshold(info.sloAttainment() * 100, "target").render());
        }
        charts.add(cdf("TTFT CDF", "TTFT (ms)", results, names, BenchResult.RequestSummary::ttftMs, info.sloTtftMs()));
        charts.add(cdf("TPOT CDF", "TPOT (ms)", results, names, BenchResult.RequestSummary::tpotMs, info.sloTpotMs()));
        charts.add(cdf("End-to-end latency CDF", "E2E latency (ms)", results, names,
                BenchResult.RequestSummary::e2elMs, null));
        charts.add(throughput(results, names));
        return charts;
    }

    private static String cdf(String title, String xLabel, List<BenchResult> results, List<String> names,
                              Function<BenchResult.RequestSummary, Double> metric, Double slo) {
        SvgChart chart = new SvgChart(title, xLabel, "fraction of requests");
        for (int i = 0; i < results.size(); i++) {
            List<BenchResult.RequestSummary> rs = results.get(i).perRequest();
            double[] values = rs.stream().map(metric).filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
            chart.add(SvgChart.cdf(names.get(i), values));
        }
        if (slo != null) {
            chart.xThreshold(slo, "SLO");
        }
        return chart.render();
    }

    private static String throughput(List<BenchResult> results, List<String> names) {
        SvgChart chart = new SvgChart("Output throughput over time", "time since start (s)", "output tokens/s");
        for (int i = 0; i < results.size(); i++) {
            List<BenchResult.ThroughputBin> bins = results.get(i).throughput();
            double[] x = new double[bins.size()];
            double[] y = new double[bins.size()];
            for (int k = 0; k < x.length; k++) {
                x[k] = bins.get(k).startS();
                y[k] = bins.get(k).tokensPerS();
            }
            chart.add(new SvgChart.Series(names.get(i), x, y, x.length < 3));
        }
        return chart.render();
    }

    private static String slos(Bench.RunInfo info) {
        if (info.sloTtftMs() == null && info.sloTpotMs() == null) {
            return "none";
        }
        return (info.sloTtftMs() == null ? "" : "TTFT ≤ " + info.sloTtftMs() + " ms ")
                + (info.sloTpotMs() == null ? "" : "TPOT ≤ " + info.sloTpotMs() + " ms ")
                + "(" + SummaryTable.num(info.sloAttainment() * 100) + "% of requests must be within)";
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><th>").append(key).append("</th><td>").append(SvgChart.escape(value)).append("</td></tr>\n");
    }
}
