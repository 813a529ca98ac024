package ai.sluice.core.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;

/**
 * The sampler against an independent, obviously correct model of each filter: whatever the order
 * of the logits, a draw never leaves the set the filter keeps, and draws follow the softmax of the
 * logits divided by the temperature. Distribution checks use fixed seeds (deterministic) and
 * tolerances several standard deviations wide.
 */
class SamplerPropertiesTest {
    private static final int DRAWS = 200;

    @Provide
    Arbitrary<float[]> logits() {
        // small alphabets give ties, which the order rules (lower id first) must settle
        return Arbitraries.integers().between(-8, 8).map(i -> i * 0.5f).array(float[].class).ofMinSize(2).ofMaxSize(40);
    }

    /** Ids best first: larger logit, ties to the lower id. */
    private static int[] ranked(float[] logits) {
        return IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    private static double[] softmax(float[] logits, int[] ids, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, logits[ids[j]]);
        }
        double[] p = new double[n];
        for (int j = 0; j < n; j++) {
            p[j] = Math.exp(logits[ids[j]] - max);
        }
        return p;
    }

    private static BitSet draws(Sampler s, float[] logits) {
        BitSet seen = new BitSet();
        for (int i = 0; i < DRAWS; i++) {
            seen.set(s.sample(logits));
        }
        return seen;
    }

    private static BitSet firstOf(int[] ranked, int n) {
        BitSet b = new BitSet();
        for (int j = 0; j < n; j++) {
            b.set(ranked[j]);
        }
        return b;
    }

    private static boolean subset(BitSet a, BitSet of) {
        BitSet rest = (BitSet) a.clone();
        rest.andNot(of);
        return rest.isEmpty();
    }

    @Property(tries = 60)
    void topKDrawsOnlyTheKBest(@ForAll("logits") float[] logits, @ForAll @IntRange(min = 1, max = 8) int k,
                               @ForAll long seed) {
        Sampler s = new Sampler(SamplingParams.random(1f, seed).withTopK(k), logits.length);
        BitSet allowed = firstOf(ranked(logits), Math.min(k, logits.length));
        assertThat(subset(draws(s, logits), allowed)).as("draws within the top %d of %s", k, Arrays.toString(logits))
                .isTrue();
    }

    @Property(tries = 60)
    void topPDrawsOnlyTheSmallestSetReachingP(@ForAll("logits") float[] logits,
                                              @ForAll @FloatRange(min = 0.05f, max = 0.95f) float topP,
                                              @ForAll long seed) {
        int[] ids = ranked(logits);
        double[] p = softmax(logits, ids, ids.length);
        double sum = Arrays.stream(p).sum();
        int keep = ids.length;
        double acc = 0;
        for (int j = 0; j < ids.length; j++) {
            acc += p[j];
            if (acc >= topP * sum) {
                keep = j + 1;
                break;
            }
        }
        // the model's float sums may land a hair either side of the cut: allow the next token too
        BitSet allowed = firstOf(ids, Math.min(ids.length, keep + 1));
        Sampler s = new Sampler(SamplingParams.random(1f, seed).withTopP(topP), logits.length);
        assertThat(subset(draws(s, logits), allowed)).as("top-p %s of %s", topP, Arrays.toString(logits)).isTrue();
    }

    @Property(tries = 60)
    void minPDrawsOnlyTokensAtLeastMinPTimesTheBest(@ForAll("logits") float[] logits,
                                                    @ForAll @FloatRange(min = 0.05f, max = 1f) float minP,
                                                    @ForAll long seed) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        BitSet allowed = new BitSet();
        for (int i = 0; i < logits.length; i++) {
            if (Math.exp(logits[i] - max) >= minP * 0.999) {
                allowed.set(i);
            }
        }
        Sampler s = new Sampler(SamplingParams.random(1f, seed).withMinP(minP), logits.length);
        BitSet seen = draws(s, logits);
        assertThat(subset(seen, allowed)).as("min-p %s of %s drew %s", minP, Arrays.toString(logits), seen).isTrue();
    }

    @Property(tries = 40)
    void sameSeedSameTokensWhateverTheFilters(@ForAll("logits") float[] logits, @ForAll long seed,
                                              @ForAll @FloatRange(min = 0.1f, max = 2f) float temperature) {
        SamplingParams p = SamplingParams.random(temperature, seed).withTopP(0.9f).withMinP(0.05f);
        Sampler a = new Sampler(p, logits.length);
        Sampler b = new Sampler(p, logits.length);
        for (int i = 0; i < 50; i++) {
            assertThat(a.sample(logits)).isEqualTo(b.sample(logits));
        }
    }

    @Property(tries = 40)
    void greedyIsTheArgmaxWithTiesToTheLowestId(@ForAll("logits") float[] logits) {
        assertThat(new Sampler(SamplingParams.greedy(), logits.length).sample(logits)).isEqualTo(ranked(logits)[0]);
    }

    @Property(tries = 40)
    void orderingMatchesAReferenceSort(@ForAll("logits") float[] key, @ForAll @IntRange(min = 1, max = 40) int k) {
        int n = key.length;
        int[] expected = ranked(key);
        int[] ids = IntStream.range(0, n).map(i -> n - 1 - i).toArray();
        TokenOrder.sortDescending(ids, n, key);
        assertThat(ids).containsExactly(expected);
        int kk = Math.min(k, n);
        int[] sel = IntStream.range(0, n).toArray();
        TokenOrder.selectTop(sel, n, kk, key);
        assertThat(Arrays.copyOf(sel, kk)).containsExactly(Arrays.copyOf(expected, kk));
        assertThat(sel).as("a permutation").containsExactlyInAnyOrder(IntStream.range(0, n).toArray());
    }

    @Property(tries = 40)
    void equalKeysComeOutByIdWhateverTheInputOrder(@ForAll @IntRange(min = 1, max = 60) int n,
                                                   @ForAll long shuffleSeed) {
        float[] key = new float[n]; // all equal
        java.util.List<Integer> shuffled = new java.util.ArrayList<>(IntStream.range(0, n).boxed().toList());
        java.util.Collections.shuffle(shuffled, new java.util.Random(shuffleSeed));
        int[] ids = shuffled.stream().mapToInt(Integer::intValue).toArray();
        int[] sel = ids.clone();
        TokenOrder.sortDescending(ids, n, key);
        assertThat(ids).containsExactly(IntStream.range(0, n).toArray());
        int k = Math.max(1, n / 2);
        TokenOrder.selectTop(sel, n, k, key);
        assertThat(Arrays.copyOf(sel, k)).containsExactly(IntStream.range(0, k).toArray());
    }

    // ---- distributions (fixed seeds) ----

    /** Fraction of {@code n} draws that picked {@code token}. */
    private static double frequency(Sampler s, float[] logits, int token, int n) {
        int hits = 0;
        for (int i = 0; i < n; i++) {
            if (s.sample(logits) == token) {
                hits++;
            }
        }
        return hits / (double) n;
    }

    @Example
    void lowTemperatureSharpensAndHighTemperatureFlattens() {
        float[] logits = {0f, (float) Math.log(3)};
        // p(1) = 3^(1/T) / (1 + 3^(1/T)): T = 0.5 -> 0.9, T = 2 -> 0.634, T = 1 -> 0.75
        assertThat(frequency(new Sampler(SamplingParams.random(0.5f, 5), 2), logits, 1, 20000)).isBetween(0.89, 0.91);
        assertThat(frequency(new Sampler(SamplingParams.random(2f, 5), 2), logits, 1, 20000)).isBetween(0.62, 0.65);
    }

    @Example
    void hugeLogitsDoNotOverflowTheSoftmax() {
        float[] logits = {1000f, 1000f + (float) Math.log(3), -1000f};
        assertThat(frequency(new Sampler(SamplingParams.random(1f, 6), 3), logits, 1, 20000)).isBetween(0.735, 0.765);
    }

    @Example
    void topPRenormalisesOverTheKeptTokens() {
        // 0.5, 0.3, 0.2 in scrambled id order; p = 0.75 keeps 0.5 and 0.3: 0.625 / 0.375
        float[] logits = {(float) Math.log(0.2), (float) Math.log(0.5), (float) Math.log(0.3)};
        Sampler s = new Sampler(SamplingParams.random(1f, 7).withTopP(0.75f), 3);
        int[] counts = new int[3];
        for (int i = 0; i < 20000; i++) {
            counts[s.sample(logits)]++;
        }
        assertThat(counts[0]).isZero();
        assertThat(counts[1] / 20000.0).isBetween(0.61, 0.64);
    }

    @Example
    void minPRenormalisesOverTheKeptTokens() {
        // 0.5, 0.3, 0.2 scrambled; min-p 0.5 keeps 0.5 and 0.3 (0.3 >= 0.25): 0.625 / 0.375
        float[] logits = {(float) Math.log(0.3), (float) Math.log(0.2), (float) Math.log(0.5)};
        Sampler s = new Sampler(SamplingParams.random(1f, 8).withMinP(0.5f), 3);
        int[] counts = new int[3];
        for (int i = 0; i < 20000; i++) {
            counts[s.sample(logits)]++;
        }
        assertThat(counts[1]).isZero();
        assertThat(counts[2] / 20000.0).isBetween(0.61, 0.64);
    }

    @Example
    void topPStopsAtTheFirstTokenThatReachesPExactly() {
        // two equal tokens hold exactly half each: p = 0.5 keeps only the first (the lower id)
        Sampler s = new Sampler(SamplingParams.random(1f, 9).withTopP(0.5f), 2);
        assertThat(frequency(s, new float[] {2f, 2f}, 0, 500)).isEqualTo(1.0);
    }

    @Example
    void minPKeepsTokensExactlyAtTheThreshold() {
        // min-p 1: only tokens as likely as the best survive, and equal ones do
        Sampler s = new Sampler(SamplingParams.random(1f, 10).withMinP(1f), 3);
        double zeros = frequency(s, new float[] {2f, 2f, 1f}, 0, 4000);
        assertThat(zeros).isBetween(0.45, 0.55);
    }

    @Example
    void topKEqualToTheVocabularyKeepsEveryToken() {
        Sampler s = new Sampler(SamplingParams.random(1f, 11).withTopK(3), 3);
        float[] logits = {0f, 0f, 0f};
        assertThat(draws(s, logits).cardinality()).isEqualTo(3);
    }

    @Example
    void theSeedDecidesTheDraws() {
        float[] logits = new float[64];
        int[] a = new int[64];
        int[] b = new int[64];
        int[] c = new int[64];
        Sampler sa = new Sampler(SamplingParams.random(1f, 1), 64);
        Sampler sb = new Sampler(SamplingParams.random(1f, 1), 64);
        Sampler sc = new Sampler(SamplingParams.random(1f, 2), 64);
        for (int i = 0; i < 64; i++) {
            a[i] = sa.sample(logits);
            b[i] = sb.sample(logits);
            c[i] = sc.sample(logits);
        }
        assertThat(a).containsExactly(b);
        // uniform over 64 tokens: two seeds agreeing on 64 draws is impossible in practice
        assertThat(a).isNotEqualTo(c);
        assertThat(Arrays.stream(a).distinct().count()).isGreaterThan(20);
    }

    // ---- penalties ----

    @Example
    void penaltiesIgnoreHistoryOutsideTheVocabularyAndCountTokenZero() {
        Sampler s = new Sampler(SamplingParams.greedy().withPresencePenalty(1f), 3);
        float[] logits = {2f, 1.5f, 0f};
        assertThat(s.sample(logits, new int[] {-1, 3, 99}, 3)).isZero();
        assertThat(s.sample(logits, new int[] {0}, 1)).isEqualTo(1);
    }

    @Example
    void penaltiesDoNotLeakIntoTheNextCall() {
        Sampler s = new Sampler(SamplingParams.greedy().withFrequencyPenalty(0.4f), 2);
        float[] logits = {2f, 1.5f};
        // token 0 once: 2 - 0.4 = 1.6 > 1.5; a count left over from the previous call would make it 1.2
        assertThat(s.sample(logits, new int[] {0}, 1)).isZero();
        assertThat(s.sample(logits, new int[] {0}, 1)).isZero();
        assertThat(s.sample(logits, new int[] {0, 0}, 2)).isEqualTo(1);
        assertThat(s.sample(logits, new int[] {0}, 1)).isZero();
    }

    @Example
    void repetitionAndFrequencyPenaltiesCombine() {
        // token 0 seen twice: 3 / 1.5 = 2, minus 2 x 0.2 + 0.1 = 1.5 < 1.6
        Sampler s = new Sampler(SamplingParams.greedy().withRepetitionPenalty(1.5f).withFrequencyPenalty(0.2f)
                .withPresencePenalty(0.1f), 2);
        assertThat(s.sample(new float[] {3f, 1.6f}, new int[] {0, 0}, 2)).isEqualTo(1);
        assertThat(s.sample(new float[] {3f, 1.4f}, new int[] {0, 0}, 2)).isZero();
    }

    @Example
    void sampledLogitsAreDividedByTheTemperatureNotMultiplied() {
        // at T = 0.01 a gap of 0.1 is a factor e^10: the better token nearly always wins
        Sampler s = new Sampler(SamplingParams.random(0.01f, 12), 2);
        assertThat(frequency(s, new float[] {1f, 1.1f}, 1, 2000)).isGreaterThan(0.99);
    }

    // ---- arguments ----

    @Example
    void rejectsAnEmptyVocabularyAndShortLogits() {
        assertThatThrownBy(() -> new Sampler(SamplingParams.greedy(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vocabulary size must be >= 1, got 0");
        assertThat(new Sampler(SamplingParams.greedy(), 1).sample(new float[] {5f})).isZero();
        Sampler s = new Sampler(SamplingParams.random(1f, 1), 3);
        assertThatThrownBy(() -> s.sample(new float[] {1f, 2f})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logits hold 2 values, the vocabulary 3");
        // longer rows are fine: only the first vocab entries count
        assertThat(new Sampler(SamplingParams.greedy(), 2).sample(new float[] {1f, 2f, 50f})).isEqualTo(1);
    }

    @Example
    void acceptsTheBoundsOfEveryRange() {
        SamplingParams p = new SamplingParams(0f, 0, 1f, 0f, 1f, -2f, -2f, 0L);
        assertThat(p.hasPenalties()).isTrue();
        p = new SamplingParams(Float.MAX_VALUE, 0, Float.MIN_VALUE, 1f, Float.MAX_VALUE, 2f, 2f, -1L);
        assertThat(p.minP()).isEqualTo(1f);
        assertThat(SamplingParams.greedy().hasPenalties()).isFalse();
        assertThat(SamplingParams.greedy().withRepetitionPenalty(1.1f).hasPenalties()).isTrue();
        assertThat(SamplingParams.greedy().withPresencePenalty(0.1f).hasPenalties()).isTrue();
        assertThat(SamplingParams.greedy().withFrequencyPenalty(-0.1f).hasPenalties()).isTrue();
        assertThatThrownBy(() -> SamplingParams.greedy().withTemperature(Float.POSITIVE_INFINITY))
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> SamplingParams.greedy().withRepetitionPenalty(Float.POSITIVE_INFINITY))
                .hasMessageContaining("repetitionPenalty");
        assertThatThrownBy(() -> SamplingParams.greedy().withMinP(1.01f)).hasMessageContaining("minP");
        assertThatThrownBy(() -> SamplingParams.greedy().withPresencePenalty(-2.01f)).hasMessageContaining("presence");
        assertThatThrownBy(() -> SamplingParams.greedy().withFrequencyPenalty(2.01f)).hasMessageContaining("frequency");
        assertThatThrownBy(() -> SamplingParams.greedy().withTopP(-0.5f)).hasMessageContaining("topP");
    }

    @Example
    void everyWitherSetsItsOwnFieldOnly() {
        SamplingParams base = new SamplingParams(0.5f, 3, 0.9f, 0.1f, 1.2f, 0.3f, 0.4f, 5L);
        assertThat(base.withTemperature(0.7f)).isEqualTo(new SamplingParams(0.7f, 3, 0.9f, 0.1f, 1.2f, 0.3f, 0.4f, 5L));
        assertThat(base.withTopK(4)).isEqualTo(new SamplingParams(0.5f, 4, 0.9f, 0.1f, 1.2f, 0.3f, 0.4f, 5L));
        assertThat(base.withTopP(0.8f)).isEqualTo(new SamplingParams(0.5f, 3, 0.8f, 0.1f, 1.2f, 0.3f, 0.4f, 5L));
        assertThat(base.withMinP(0.2f)).isEqualTo(new SamplingParams(0.5f, 3, 0.9f, 0.2f, 1.2f, 0.3f, 0.4f, 5L));
        assertThat(base.withRepetitionPenalty(1.3f))
                .isEqualTo(new SamplingParams(0.5f, 3, 0.9f, 0.1f, 1.3f, 0.3f, 0.4f, 5L));
        assertThat(base.withPresencePenalty(0.6f))
                .isEqualTo(new SamplingParams(0.5f, 3, 0.9f, 0.1f, 1.2f, 0.6f, 0.4f, 5L));
        assertThat(base.withFrequencyPenalty(0.7f))
                .isEqualTo(new SamplingParams(0.5f, 3, 0.9f, 0.1f, 1.2f, 0.3f, 0.7f, 5L));
        assertThat(base.withSeed(6L)).isEqualTo(new SamplingParams(0.5f, 3, 0.9f, 0.1f, 1.2f, 0.3f, 0.4f, 6L));
        assertThat(SamplingParams.random(0.8f, 9L)).isEqualTo(new SamplingParams(0.8f, 0, 1f, 0f, 1f, 0f, 0f, 9L));
        assertThat(SamplingParams.greedy()).isEqualTo(new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 0L));
        assertThat(new Sampler(base, 4).params()).isSameAs(base);
    }
}
