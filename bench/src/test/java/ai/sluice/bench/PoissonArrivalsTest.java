package ai.sluice.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PoissonArrivalsTest {

    @Test
    void gapsAreExponentialWithMeanOneOverRate() {
        double rate = 4.0;
        PoissonArrivals arrivals = new PoissonArrivals(rate, 42);
        int n = 100_000;
        double sum = 0;
        double sumSq = 0;
        int longerThanMean = 0;
        for (int i = 0; i < n; i++) {
            double gap = arrivals.nextGapNanos() / 1e9;
            assertThat(gap).isGreaterThanOrEqualTo(0);
            sum += gap;
            sumSq += gap * gap;
            longerThanMean += gap > 1 / rate ? 1 : 0;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSq / n - mean * mean);
        // Exponential: mean = sd = 1/rate, and P(gap > mean) = 1/e. Seeded, so these numbers never change.
        assertThat(mean).isCloseTo(0.25, within(0.005));
        assertThat(sd / mean).isCloseTo(1.0, within(0.02));
        assertThat(longerThanMean / (double) n).isCloseTo(Math.exp(-1), within(0.01));
    }

    @Test
    void sameSeedGivesSameArrivalsAndOtherSeedsDiffer() {
        PoissonArrivals a = new PoissonArrivals(2, 7);
        PoissonArrivals b = new PoissonArrivals(2, 7);
        PoissonArrivals c = new PoissonArrivals(2, 8);
        boolean differs = false;
        for (int i = 0; i < 100; i++) {
            long ga = a.nextGapNanos();
            assertThat(b.nextGapNanos()).isEqualTo(ga);
            differs |= c.nextGapNanos() != ga;
        }
        assertThat(differs).isTrue();
    }

    @Test
    void infiniteRateSendsAllAtOnceAndNonPositiveRateIsRejected() {
        assertThat(new PoissonArrivals(Double.POSITIVE_INFINITY, 1).nextGapNanos()).isZero();
        assertThatThrownBy(() -> new PoissonArrivals(0, 1)).isInstanceOf(BenchException.class);
    }
}
