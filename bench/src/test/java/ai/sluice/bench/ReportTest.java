package ai.sluice.bench;

import ai.sluice.wire.RequestError;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {
    private static final long MS = 1_000_000L;

    private static Bench.Outcome outcome() {
        List<RequestRecord> records = List.of(
                new RequestRecord(0, 0, new long[] {100 * MS, 120 * MS, 140 * MS}, 5, 3, true, null),
                new RequestRecord(1, 300 * MS, new long[] {450 * MS, 480 * MS, 1600 * MS}, 5, 3, true, null),
                new RequestRecord(2, 400 * MS, new long[0], 5, 0, false, new RequestError.HttpStatus(429, "")));
        Slo slo = new Slo(Duration.ofMillis(120), Duration.ofMillis(40), 0.9);
        BenchResult r = Metrics.summarize("closed loop, concurrency 2", records, 1700 * MS, slo);
        Bench.RunInfo info = new Bench.RunInfo("http://x:8000", "m<&>", "closed loop, concurrency 2", 3, null, 0, 0,
                "synthetic", "estimated, one token per word", "min 5, mean 5.0, max 5 tokens", 120.0, 40.0, 0.9,
                "2026-01-01T00:00:00Z");
        return new Bench.Outcome(info, r, null);
    }

    @Test
    void htmlIsSelfContainedWithInlineSvgCharts() {
        String html = HtmlReport.render(outcome());
        assertThat(html).startsWith("<!DOCTYPE html>");
        assertThat(html.split("<svg xmlns=\"http://www.w3.org/2000/svg\"", -1)).hasSize(5);
        assertThat(html).contains("<polyline", "TTFT CDF", "TPOT CDF", "End-to-end latency CDF",
                "Output throughput over time", "SLO");
        assertThat(html).doesNotContain("<script", "http-equiv", "<link", "src=\"http");
        // Names from the server are escaped, not interpreted.
        assertThat(html).contains("m&lt;&amp;&gt;").doesNotContain("m<&>");
    }

    @Test
    void summaryTableShowsGoodputAndErrors() {
        String table = SummaryTable.render(outcome());
        // Request 0: TTFT 100 <= 120, TPOT 20 <= 40: good. Request 1: TTFT 150: not good.
        assertThat(table).contains("Successful requests:                     2")
                .contains("Failed requests:                         1 (http_429 1)")
                .contains("Request goodput (req/s):                 0.59")
                .contains("SLO attainment (%):                      33.33");
    }

    @Test
    void chartScalesToRoundTicksAndPlotsEveryPoint() {
        assertThat(SvgChart.ticks(0, 9.3)).containsExactly(0, 2, 4, 6, 8, 10);
        assertThat(SvgChart.ticks(0.1, 0.42)).hasSizeBetween(4, 8);
        String svg = new SvgChart("t", "x", "y")
                .add(SvgChart.cdf("a", new double[] {3, 1, 2}))
                .render();
        assertThat(svg).contains("<polyline");
        String points = svg.substring(svg.indexOf("points=\"") + 8);
        points = points.substring(0, points.indexOf('"'));
        assertThat(points.split(" ")).hasSize(3);
        assertThat(new SvgChart("empty", "x", "y").render()).contains("no data");
    }

    @Test
    void anSloMissIsTheFirstThingOnThePage() {
        String html = HtmlReport.render(outcome());
        // 1 of 3 requests met TTFT <= 120 ms and TPOT <= 40 ms against 90% required.
        int verdict = html.indexOf("<div class=\"verdict miss\">");
        assertThat(verdict).isPositive().isLessThan(html.indexOf("<table>"));
        assertThat(html).contains("SLO MISSED: 33.33% of requests within TTFT ≤ 120.0 ms TPOT ≤ 40.0 ms")
                .doesNotContain("verdict pass");
        assertThat(SummaryTable.render(outcome())).contains("SLOs met:").contains("NO (33.33% met");
        // Without server metrics the report says why there are none.
        assertThat(html).contains("Not scraped: the server has no <code>/metrics</code>");
    }
}
