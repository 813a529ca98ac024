package ai.sluice.bench;

import ai.sluice.wire.RequestError;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HpaAdviceTest {

    private static void add(List<HpaAdvice.Observation> out, int depth, int met, int missed) {
        for (int i = 0; i < met; i++) {
            out.add(new HpaAdvice.Observation(depth, true));
        }
        for (int i = 0; i < missed; i++) {
            out.add(new HpaAdvice.Observation(depth, false));
        }
    }

    @Test
    void targetIsTheLastDepthBeforeAttainmentDrops() {
        List<HpaAdvice.Observation> obs = new ArrayList<>();
        add(obs, 0, 20, 0);
        add(obs, 1, 10, 0);
        add(obs, 2, 10, 0);
        add(obs, 3, 8, 2);   // 80% < 95%: breaks here
        add(obs, 5, 0, 6);
        HpaAdvice advice = HpaAdvice.analyze(obs, 0.95);
        assertThat(advice.breakDepth()).isEqualTo(3);
        assertThat(advice.target()).isEqualTo(2);
        assertThat(advice.maxObserved()).isEqualTo(5);
        assertThat(advice.message()).contains("starts to break at queue depth 3").contains("averageValue 2");
    }

    @Test
    void sparseDepthsMergeIntoTheNextGroupSoOneRequestDecidesNothing() {
        List<HpaAdvice.Observation> obs = new ArrayList<>();
        add(obs, 0, 10, 0);
        add(obs, 1, 0, 1);   // a single slow request at depth 1 ...
        add(obs, 2, 5, 0);   // ... merged with depth 2: 5 of 6 = 83%
        add(obs, 4, 10, 0);
        HpaAdvice advice = HpaAdvice.analyze(obs, 0.8);
        assertThat(advice.byDepth()).extracting(HpaAdvice.DepthGroup::depth).containsExactly(0, 2, 4);
        assertThat(advice.breakDepth()).isNull();
        assertThat(advice.target()).isEqualTo(4);
        assertThat(advice.message()).contains("held up to the deepest queue seen (4)");
    }

    @Test
    void brokenAtEmptyQueueSaysScalingOutWillNotHelp() {
        List<HpaAdvice.Observation> obs = new ArrayList<>();
        add(obs, 0, 1, 9);
        HpaAdvice advice = HpaAdvice.analyze(obs, 0.9);
        assertThat(advice.breakDepth()).isZero();
        assertThat(advice.target()).isNull();
        assertThat(advice.message()).contains("more replicas will not fix it");
        assertThat(HpaAdvice.analyze(List.of(), 0.9).message()).contains("no queue depth");
    }

    @Test
    void pairsEachRequestWithTheLastScrapeBeforeItWasSent() {
        long epoch = 1_000_000_000L;
        List<QueueWatcher.Sample> samples = List.of(
                new QueueWatcher.Sample(epoch + 10, 0),
                new QueueWatcher.Sample(epoch + 100, 4),
                new QueueWatcher.Sample(epoch + 200, 9));
        Slo slo = new Slo(Duration.ofNanos(50), null, 0.9);
        List<RequestRecord> records = List.of(
                new RequestRecord(0, 5, new long[] {30}, 1, 1, true, null),       // before any scrape: first
                new RequestRecord(1, 150, new long[] {180}, 1, 1, true, null),    // after the 4
                new RequestRecord(2, 250, new long[] {400}, 1, 1, true, null),    // after the 9; TTFT 150 > 50
                new RequestRecord(3, 100, new long[0], 1, 0, false, new RequestError.Timeout("x")));
        List<HpaAdvice.Observation> obs = HpaAdvice.observe(records, epoch, samples, slo);
        assertThat(obs).containsExactly(
                new HpaAdvice.Observation(0, true),
                new HpaAdvice.Observation(4, true),
                new HpaAdvice.Observation(9, false),
                new HpaAdvice.Observation(4, false));
    }
}
