package ai.sluice.core.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** skipSamples(k) leaves the sampler where k samples would have: what stream resume relies on. */
class SamplerSkipTest {
    private static final int VOCAB = 64;

    private static float[][] logits(int steps) {
        Random r = new Random(5);
        float[][] out = new float[steps][VOCAB];
        for (float[] row : out) {
            for (int i = 0; i < VOCAB; i++) {
                row[i] = (float) r.nextGaussian() * 2f;
            }
        }
        return out;
    }

    private static int[] run(SamplingParams p, float[][] logits, int skip) {
        Sampler s = new Sampler(p, VOCAB);
        s.skipSamples(skip);
        int[] out = new int[logits.length - skip];
        for (int i = skip; i < logits.length; i++) {
            out[i - skip] = s.sample(logits[i]);
        }
        return out;
    }

    @Test
    void skippingKSamplesDrawsWhatTheKPlusFirstSampleWouldHave() {
        float[][] l = logits(30);
        for (SamplingParams p : new SamplingParams[] {SamplingParams.random(1f, 3),
                SamplingParams.random(0.7f, 11).withTopK(8).withTopP(0.9f).withMinP(0.05f)}) {
            int[] whole = run(p, l, 0);
            for (int k : new int[] {1, 2, 9, 29}) {
                int[] rest = run(p, l, k);
                assertThat(rest).as("after %d skipped samples", k)
                        .containsExactly(java.util.Arrays.copyOfRange(whole, k, whole.length));
            }
            // and skipping is not a no-op: a sampler that skips nothing draws differently
            Sampler unskipped = new Sampler(p, VOCAB);
            int[] shifted = new int[20];
            for (int i = 0; i < 20; i++) {
                shifted[i] = unskipped.sample(l[i + 9]);
            }
            assertThat(shifted).isNotEqualTo(java.util.Arrays.copyOfRange(whole, 9, 29));
        }
    }

    @Test
    void greedyTakesNoDrawsAndNegativeCountsAreRefused() {
        float[][] l = logits(5);
        assertThat(run(SamplingParams.greedy(), l, 3)).containsExactly(
                java.util.Arrays.copyOfRange(run(SamplingParams.greedy(), l, 0), 3, 5));
        assertThatThrownBy(() -> new Sampler(SamplingParams.greedy(), VOCAB).skipSamples(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
