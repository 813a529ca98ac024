package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The metric building blocks: bucket edges of the histograms, the sliding window of the drain rate. */
class HistogramAndDrainRateTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aValueOnABoundGoesIntoThatBucketAndAboveTheLastIntoInf() {
        Histogram h = new Histogram(new double[] {1, 2, 5});
        h.observe(0.5);
        h.observe(1);
        h.observe(1.5);
        h.observe(2);
        h.observe(5);
        h.observe(5.01);
        h.observe(100);
        Histogram.Snapshot s = h.snapshot();
        assertThat(s.counts()).containsExactly(2, 2, 1, 2);
        assertThat(s.count()).isEqualTo(7);
        assertThat(s.sum()).isEqualTo(0.5 + 1 + 1.5 + 2 + 5 + 5.01 + 100);
        assertThat(s.upperBounds()).containsExactly(1, 2, 5);
        assertThat(s.cumulativeCount(0)).isEqualTo(2);
        assertThat(s.cumulativeCount(1)).isEqualTo(4);
        assertThat(s.cumulativeCount(2)).isEqualTo(5);
        assertThat(s.cumulativeCount(3)).isEqualTo(7);
    }

    @Test
    void snapshotsAreCopies() {
        double[] bounds = {1, 2};
        Histogram h = new Histogram(bounds);
        bounds[0] = 50;
        h.observe(1.5);
        Histogram.Snapshot s = h.snapshot();
        s.counts()[1] = 99;
        s.upperBounds()[0] = 7;
        assertThat(h.snapshot().counts()).containsExactly(0, 1, 0);
        assertThat(h.snapshot().upperBounds()).containsExactly(1, 2);
    }

    @Test
    void boundsMustIncrease() {
        assertThatThrownBy(() -> new Histogram(new double[] {1, 1})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1.0, 1.0]");
        assertThatThrownBy(() -> new Histogram(new double[] {2, 1})).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Histogram(new double[] {1}).snapshot().counts()).hasSize(2);
        for (double[] bounds : new double[][] {Histogram.TTFT_SECONDS, Histogram.INTER_TOKEN_SECONDS,
            Histogram.REQUEST_SECONDS, Histogram.STEP_SECONDS, Histogram.BATCH_SIZE}) {
            assertThat(new Histogram(bounds).snapshot().counts()).hasSize(bounds.length + 1);
        }
    }

    @Test
    void drainRateIsFinishesPerSecondOverTheElapsedPartOfTheWindow() {
        long origin = 1_000 * SECOND;
        DrainRate rate = new DrainRate(10, origin);
        assertThat(rate.perSecond(origin)).isZero();
        rate.record(origin + SECOND / 2);
        rate.record(origin + SECOND / 2);
        // younger than a second: counts as one second
        assertThat(rate.perSecond(origin + SECOND / 2)).isEqualTo(2.0);
        rate.record(origin + 3 * SECOND + 1);
        // 4 s elapsed: 3 finishes over 4 s
        assertThat(rate.perSecond(origin + 4 * SECOND)).isEqualTo(0.75);
        // 10 s window: after 12 s the finishes of second 0 have left it, second 3's is still in
        assertThat(rate.perSecond(origin + 12 * SECOND)).isEqualTo(0.1);
        assertThat(rate.perSecond(origin + 13 * SECOND + 1)).isEqualTo(0.1 * 0);
    }

    @Test
    void drainRateReusesABucketForALaterSecondFromZero() {
        long origin = 0;
        DrainRate rate = new DrainRate(4, origin);
        rate.record(SECOND + 1);
        rate.record(SECOND + 2);
        // second 5 maps to the same bucket as second 1: the old count is dropped, not added to
        rate.record(5 * SECOND + 1);
        assertThat(rate.perSecond(5 * SECOND + 2)).isEqualTo(0.25);
        rate.record(6 * SECOND);
        assertThat(rate.perSecond(6 * SECOND + 5)).isEqualTo(0.5);
    }
}
