package ai.sluice.core.quant.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class KlStatisticsTest {
    private static final double EPS = 1e-12;

    @Test
    void identicalModelsHaveZeroDivergenceAndFullAgreement() {
        KlStatistics s = new KlStatistics();
        s.add(new float[] {0, 0}, new float[] {0, 0}, 0); // uniform over 2: p(next) = 1/2
        s.add(new float[] {1, 2, 3}, new float[] {1, 2, 3}, 2);

        EvalResult r = s.result();
        assertThat(r.positions()).isEqualTo(2);
        assertThat(r.meanKl()).isZero();
        assertThat(r.maxKl()).isZero();
        assertThat(r.top1Agreement()).isEqualTo(1.0);
        assertThat(r.perplexityQuantized()).isEqualTo(r.perplexityReference());
    }

    @Test
    void klOfAHalfHalfReferenceAgainstAThreeQuarterQuarterModel() {
        // P = (1/2, 1/2), Q = (3/4, 1/4): KL = 1/2 ln(2/3) + 1/2 ln 2 = 1/2 ln(4/3)
        KlStatistics s = new KlStatistics();
        s.add(new float[] {0, 0}, new float[] {(float) Math.log(3), 0}, 1);

        EvalResult r = s.result();
        assertThat(r.meanKl()).isCloseTo(0.5 * Math.log(4.0 / 3.0), within(1e-7));
        assertThat(r.perplexityReference()).isCloseTo(2.0, within(EPS));     // 1 / (1/2)
        assertThat(r.perplexityQuantized()).isCloseTo(4.0, within(1e-6));    // 1 / (1/4)
        assertThat(r.top1Agreement()).isEqualTo(1.0); // ties go to the first token: both pick token 0
    }

    @Test
    void perplexityIsTheExponentOfTheMeanNegativeLogLikelihood() {
        KlStatistics s = new KlStatistics();
        s.add(new float[] {0, 0}, new float[] {0, 0}, 0);                       // p = 1/2
        s.add(new float[] {0, 0, 0, 0}, new float[] {0, 0, 0, 0}, 3);           // p = 1/4

        // exp((ln 2 + ln 4) / 2) = 2^1.5
        assertThat(s.result().perplexityReference()).isCloseTo(Math.pow(2, 1.5), within(1e-12));
    }

    @Test
    void isStableForHugeLogitsAndShiftInvariant() {
        KlStatistics plain = new KlStatistics();
        plain.add(new float[] {0, 0}, new float[] {(float) Math.log(3), 0}, 1);
        KlStatistics shifted = new KlStatistics();
        shifted.add(new float[] {5000, 5000}, new float[] {5000 + (float) Math.log(3), 5000}, 1);

        assertThat(shifted.result().meanKl()).isCloseTo(plain.result().meanKl(), within(1e-3));
        assertThat(shifted.result().perplexityReference()).isCloseTo(2.0, within(EPS));

        // A confident model that is confidently wrong: KL ~ the logit gap, not NaN or infinity.
        KlStatistics wrong = new KlStatistics();
        wrong.add(new float[] {1000, 0}, new float[] {0, 1000}, 0);
        assertThat(wrong.result().meanKl()).isCloseTo(1000, within(1e-6));
        assertThat(wrong.result().top1Agreement()).isZero();
    }

    @Test
    void maskedTokensWithMinusInfinityLogitsContributeNothing() {
        float ninf = Float.NEGATIVE_INFINITY;
        KlStatistics s = new KlStatistics();
        s.add(new float[] {0, ninf, 0}, new float[] {0, ninf, 0}, 2);

        assertThat(s.result().meanKl()).isZero();
        assertThat(s.result().perplexityReference()).isCloseTo(2.0, within(EPS));
    }

    @Test
    void reportsTheMeanP99AndMaximumOfPerPositionDivergences() {
        KlStatistics s = new KlStatistics();
        double[] expected = new double[200];
        for (int i = 0; i < 200; i++) {
            float gap = i / 10f;
            s.add(new float[] {0, 0}, new float[] {gap, 0}, 0);
            // KL((1/2,1/2) || softmax(gap, 0)) = -ln 2 - 1/2 (ln q0 + ln q1)
            double lq0 = gap - Math.log(Math.exp(gap) + 1);
            double lq1 = -Math.log(Math.exp(gap) + 1);
            expected[i] = -Math.log(2) - 0.5 * (lq0 + lq1);
        }
        EvalResult r = s.result();
        double mean = java.util.Arrays.stream(expected).average().orElseThrow();
        assertThat(r.meanKl()).isCloseTo(mean, within(1e-9));
        assertThat(r.maxKl()).isCloseTo(expected[199], within(1e-9));
        // rank 0.99 * 199 = 197.01: between the 198th and 199th smallest
        assertThat(r.p99Kl()).isCloseTo(expected[197] + 0.01 * (expected[198] - expected[197]), within(1e-9));
        assertThat(r.top1Agreement()).isEqualTo(1.0); // the reference's tie goes to token 0, Q's favourite
    }

    @Test
    void percentileInterpolatesBetweenClosestRanks() {
        assertThat(KlStatistics.percentile(new double[] {0, 1}, 0.99)).isCloseTo(0.99, within(EPS));
        assertThat(KlStatistics.percentile(new double[] {7}, 0.99)).isEqualTo(7);
        double[] hundredAndOne = new double[101];
        for (int i = 0; i <= 100; i++) {
            hundredAndOne[i] = i;
        }
        assertThat(KlStatistics.percentile(hundredAndOne, 0.99)).isCloseTo(99, within(EPS));
    }

    @Test
    void rejectsMismatchedVocabulariesBadTokensAndNaN() {
        KlStatistics s = new KlStatistics();
        assertThatThrownBy(() -> s.add(new float[3], new float[4], 0)).hasMessageContaining("vocabulary sizes differ");
        assertThatThrownBy(() -> s.add(new float[3], new float[3], 3)).hasMessageContaining("outside the vocabulary");
        assertThatThrownBy(() -> s.add(new float[] {0, Float.NaN}, new float[2], 0)).hasMessageContaining("NaN");
        assertThatThrownBy(s::result).hasMessageContaining("no positions");
    }
}
