package ai.sluice.bench;

import ai.sluice.wire.RequestError;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {
    private static final long MS = 1_000_000L;

    /** A successful request sent at {@code startMs} whose content chunks arrive at {@code chunkMs}. */
    private static RequestRecord ok(int index, long startMs, int outputTokens, long... chunkMs) {
        long[] chunks = new long[chunkMs.length];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = chunkMs[i] * MS;
        }
        return new RequestRecord(index, startMs * MS, chunks, 10, outputTokens, true, null);
    }

    @Test
    void ttftTpotAndLatencyFollowVllmDefinitions() {
        // Sent at 0; first chunk at 100 ms, then 4 more 20 ms apart: 5 tokens, last at 180 ms.
        RequestRecord r = ok(0, 0, 5, 100, 120, 140, 160, 180);
        assertThat(r.ttftNanos()).isEqualTo(100 * MS);
        assertThat(r.latencyNanos()).isEqualTo(180 * MS);
        // (180 - 100) / (5 - 1) = 20 ms
        assertThat(r.tpotNanos()).isEqualTo(20.0 * MS);
        assertThat(r.itlNanos()).containsExactly(20 * MS, 20 * MS, 20 * MS, 20 * MS);
    }

    @Test
    void tpotDividesByUsageTokensNotChunks() {
        // A server that packs two tokens per chunk: 3 chunks, usage says 6 tokens.
        RequestRecord r = ok(0, 0, 6, 50, 100, 150);
        assertThat(r.tpotNanos()).isEqualTo((150 - 50) * MS / 5.0);
        assertThat(r.itlNanos()).containsExactly(50 * MS, 50 * MS);
    }

    @Test
    void singleTokenRequestHasNoTpot() {
        RequestRecord r = ok(0, 0, 1, 30);
        assertThat(r.tpotNanos()).isNaN();
        assertThat(r.itlNanos()).isEmpty();
    }

    @Test
    void summaryCountsThroughputsAndErrorsByKind() {
        List<RequestRecord> records = List.of(
                ok(0, 0, 3, 100, 110, 120),
                ok(1, 500, 3, 700, 720, 740),
                new RequestRecord(2, 600, new long[0], 10, 0, false, new RequestError.HttpStatus(503, "busy")),
                new RequestRecord(3, 700, new long[0], 10, 0, false, new RequestError.Timeout("slow")),
                new RequestRecord(4, 800, new long[0], 10, 0, false, new RequestError.HttpStatus(503, "busy")));
        BenchResult r = Metrics.summarize("test", records, 2_000 * MS, Slo.none());

        assertThat(r.completed()).isEqualTo(2);
        assertThat(r.failed()).isEqualTo(3);
        assertThat(r.errors()).containsEntry("http_503", 2).containsEntry("timeout", 1).hasSize(2);
        assertThat(r.durationS()).isEqualTo(2.0);
        assertThat(r.totalInputTokens()).isEqualTo(20);
        assertThat(r.totalOutputTokens()).isEqualTo(6);
        assertThat(r.requestThroughput()).isEqualTo(1.0);
        assertThat(r.outputThroughput()).isEqualTo(3.0);
        assertThat(r.totalTokenThroughput()).isEqualTo(13.0);
        assertThat(r.goodput()).isNull();
        // TTFTs 100 and 200 ms; E2E 120 and 240 ms; ITLs all 10 or 20 ms.
        assertThat(r.ttftMs().mean()).isEqualTo(150.0);
        assertThat(r.e2elMs().median()).isEqualTo(180.0);
        assertThat(r.itlMs().count()).isEqualTo(4);
        assertThat(r.itlMs().mean()).isEqualTo(15.0);
        assertThat(r.tpotMs().count()).isEqualTo(2);
        assertThat(r.perRequest()).hasSize(5);
        assertThat(r.perRequest().get(2).error()).isEqualTo("HTTP 503: busy");
    }

    @Test
    void goodputCountsOnlyRequestsMeetingEverySlo() {
        List<RequestRecord> records = List.of(
                ok(0, 0, 3, 100, 120, 140),    // TTFT 100, TPOT 20: meets both
                ok(1, 0, 3, 600, 620, 640),    // TTFT 600: misses TTFT
                ok(2, 0, 3, 100, 200, 300),    // TPOT 100: misses TPOT
                ok(3, 0, 1, 100),              // one token: TPOT counts as 0, meets
                new RequestRecord(4, 0, new long[0], 10, 0, false, new RequestError.Connection("refused")));
        Slo slo = new Slo(Duration.ofMillis(500), Duration.ofMillis(50), 0.9);
        BenchResult r = Metrics.summarize("test", records, 4_000 * MS, slo);

        assertThat(r.goodput()).isEqualTo(2 / 4.0);
        assertThat(r.sloAttainment()).isEqualTo(2 / 5.0);
        assertThat(SweepResult.meets(r, slo)).isFalse();
    }

    @Test
    void throughputBinsSpreadUsageTokensOverChunks() {
        // 4 tokens in 2 chunks, one in second 0 and one in second 1.
        RequestRecord r = ok(0, 0, 4, 500, 1500);
        List<BenchResult.ThroughputBin> bins = Metrics.throughputBins(List.of(r), 2_000 * MS);
        assertThat(bins).extracting(BenchResult.ThroughputBin::tokensPerS).containsExactly(2.0, 2.0);
    }

    @Test
    void percentilesInterpolateLikeNumpy() {
        double[] values = {15, 20, 35, 40, 50};
        // numpy.percentile([15,20,35,40,50], [50, 90, 99]) = 35, 46, 49.6
        Stats s = Stats.of(values);
        assertThat(s.median()).isEqualTo(35.0);
        assertThat(s.p90()).isCloseTo(46.0, within(1e-9));
        assertThat(s.p99()).isCloseTo(49.6, within(1e-9));
        assertThat(s.mean()).isEqualTo(32.0);
        assertThat(Stats.of(new double[] {7}).p99()).isEqualTo(7.0);
        assertThat(Stats.of(new double[0]).mean()).isNaN();
        // Unsorted input, even count: median is the mean of the middle two.
        assertThat(Stats.of(new double[] {4, 1, 3, 2}).median()).isEqualTo(2.5);
    }
}
