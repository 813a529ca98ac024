package ai.sluice.core.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1f, 3f, 3f, 0.5f, 2.9f, -1f, 2f, 0f};

    @Test
    void greedyPicksTheArgmaxAndBreaksTiesToTheLowestId() {
        Sampler s = new Sampler(SamplingParams.greedy(), LOGITS.length);
        assertThat(s.sample(LOGITS)).isEqualTo(1);
        assertThat(new Sampler(SamplingParams.greedy(), 3).sample(new float[] {5f, 7f, 7f})).isEqualTo(1);
    }

    @Test
    void doesNotModifyTheCallersLogits() {
        float[] logits = LOGITS.clone();
        new Sampler(SamplingParams.random(0.7f, 1).withRepetitionPenalty(1.3f).withTopP(0.9f), 8)
                .sample(logits, new int[] {1, 2}, 2);
        assertThat(logits).containsExactly(LOGITS);
    }

    @Test
    void sameSeedGivesTheSameTokens() {
        SamplingParams p = SamplingParams.random(1.0f, 42).withTopK(5).withTopP(0.95f).withMinP(0.01f);
        int[] a = draw(new Sampler(p, 512), 200);
        int[] b = draw(new Sampler(p, 512), 200);
        int[] c = draw(new Sampler(p.withSeed(43), 512), 200);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        // and it samples: the draws spread over several tokens instead of repeating the argmax
        int[] greedy = draw(new Sampler(SamplingParams.greedy(), 512), 200);
        assertThat(a).isNotEqualTo(greedy);
        assertThat(java.util.Arrays.stream(a).distinct().count()).isGreaterThan(3);
        assertThat(java.util.Arrays.stream(a).allMatch(t -> t >= 0 && t < 512)).isTrue();
    }

    private static int[] draw(Sampler s, int n) {
        float[] logits = new float[512];
        Random r = new Random(7);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) r.nextGaussian() * 2;
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(logits, out, i);
        }
        return out;
    }

    @Test
    void topKOneIsGreedy() {
        Sampler s = new Sampler(SamplingParams.random(5f, 3).withTopK(1), LOGITS.length);
        for (int i = 0; i < 50; i++) {
            assertThat(s.sample(LOGITS)).isEqualTo(1);
        }
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        Sampler s = new Sampler(SamplingParams.random(10f, 3).withTopK(3), LOGITS.length);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(LOGITS));
        }
        assertThat(seen).containsExactlyInAnyOrder(1, 2, 4);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // probabilities ~ 0.5, 0.3, 0.2 (tiny rest): p = 0.75 keeps the first two
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2), -30f};
        Sampler s = new Sampler(SamplingParams.random(1f, 9).withTopP(0.75f), 4);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(logits));
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void minPDropsTokensFarLessLikelyThanTheBest() {
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2), (float) Math.log(0.01)};
        Sampler s = new Sampler(SamplingParams.random(1f, 9).withMinP(0.5f), 4);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(s.sample(logits));
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void samplingFollowsTheSoftmax() {
        float[] logits = {0f, (float) Math.log(3)};
        Sampler s = new Sampler(SamplingParams.random(1f, 11), 2);
        int ones = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            ones += s.sample(logits);
        }
        assertThat(ones / (double) n).isBetween(0.73, 0.77);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        // token 1 (3.0) seen before: 3.0 / 2 = 1.5 < token 2's 3.0 -> greedy picks 2
        Sampler s = new Sampler(SamplingParams.greedy().withRepetitionPenalty(2f), LOGITS.length);
        assertThat(s.sample(LOGITS, new int[] {1}, 1)).isEqualTo(2);
        // all negative: -1 seen gets -2, so the unseen -1.5 wins
        Sampler n = new Sampler(SamplingParams.greedy().withRepetitionPenalty(2f), 2);
        assertThat(n.sample(new float[] {-1f, -1.5f}, new int[] {0}, 1)).isEqualTo(1);
    }

    @Test
    void presenceAndFrequencyPenaltiesCountOccurrences() {
        float[] logits = {3f, 2.5f, 2f};
        // frequency 0.3: token 0 seen twice -> 2.4 < 2.5
        Sampler f = new Sampler(SamplingParams.greedy().withFrequencyPenalty(0.3f), 3);
        assertThat(f.sample(logits, new int[] {0, 0}, 2)).isEqualTo(1);
        assertThat(f.sample(logits, new int[] {0}, 1)).isZero();
        // presence 0.6 once per seen token, whatever the count: 2.4 < 2.5
        Sampler p = new Sampler(SamplingParams.greedy().withPresencePenalty(0.6f), 3);
        assertThat(p.sample(logits, new int[] {0, 0, 0}, 3)).isEqualTo(1);
        // only the first historyLength tokens count
        assertThat(p.sample(logits, new int[] {1, 0}, 1)).isZero();
    }

    @Test
    void rejectsBadParametersNamingThem() {
        assertThatThrownBy(() -> SamplingParams.greedy().withTemperature(-0.5f))
                .isInstanceOf(InvalidSamplingParametersException.class).hasMessageContaining("temperature = -0.5");
        assertThatThrownBy(() -> SamplingParams.greedy().withTemperature(Float.NaN)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> SamplingParams.greedy().withTopK(-1)).hasMessageContaining("topK = -1");
        assertThatThrownBy(() -> SamplingParams.greedy().withTopP(0f)).hasMessageContaining("topP = 0");
        assertThatThrownBy(() -> SamplingParams.greedy().withTopP(1.5f)).hasMessageContaining("topP");
        assertThatThrownBy(() -> SamplingParams.greedy().withMinP(-0.1f)).hasMessageContaining("minP");
        assertThatThrownBy(() -> SamplingParams.greedy().withRepetitionPenalty(0f))
                .hasMessageContaining("repetitionPenalty");
        assertThatThrownBy(() -> SamplingParams.greedy().withPresencePenalty(3f)).hasMessageContaining("presencePenalty");
        assertThatThrownBy(() -> SamplingParams.greedy().withFrequencyPenalty(-3f))
                .hasMessageContaining("frequencyPenalty");
    }

    @Test
    void ordersTokensByKeyWithTiesToTheLowerId() {
        Random r = new Random(3);
        for (int n : new int[] {1, 2, 17, 100, 1000}) {
            float[] key = new float[n];
            for (int i = 0; i < n; i++) {
                key[i] = r.nextInt(20); // many ties
            }
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = n - 1 - i;
            }
            TokenOrder.sortDescending(ids, n, key);
            for (int i = 1; i < n; i++) {
                int a = ids[i - 1];
                int b = ids[i];
                assertThat(key[a] > key[b] || (key[a] == key[b] && a < b)).as("n=%d at %d", n, i).isTrue();
            }
            int k = Math.max(1, n / 3);
            int[] sel = new int[n];
            for (int i = 0; i < n; i++) {
                sel[i] = i;
            }
            TokenOrder.selectTop(sel, n, k, key);
            for (int i = 0; i < k; i++) {
                assertThat(sel[i]).isEqualTo(ids[i]);
            }
        }
    }
}
