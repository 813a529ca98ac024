package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Comparator;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Log-probabilities against a direct log-softmax and a full sort, on rows inside a larger array. */
class LogprobsPropertiesTest {

    @Provide
    Arbitrary<float[]> rows() {
        return Arbitraries.integers().between(-20, 20).map(i -> i * 0.75f).array(float[].class).ofMinSize(1)
                .ofMaxSize(60);
    }

    @Property(tries = 200)
    void matchesTheLogSoftmaxAndTheTopOfAFullSort(@ForAll("rows") float[] row, @ForAll @IntRange(max = 20) int top,
                                                  @ForAll @IntRange(max = 1000) int tokenSeed,
                                                  @ForAll @IntRange(max = 3) int offset) {
        int vocab = row.length;
        float[] logits = new float[offset + vocab + 2];
        java.util.Arrays.fill(logits, 1000f); // neighbours must not leak in
        System.arraycopy(row, 0, logits, offset, vocab);
        int token = tokenSeed % vocab;
        TokenLogprobs lp = Logprobs.of(logits, offset, vocab, token, top);

        double max = IntStream.range(0, vocab).mapToDouble(i -> row[i]).max().orElseThrow();
        double logZ = max + Math.log(IntStream.range(0, vocab).mapToDouble(i -> Math.exp(row[i] - max)).sum());
        assertThat(lp.token()).isEqualTo(token);
        assertThat((double) lp.logprob()).isCloseTo(row[token] - logZ, within(1e-4));
        int[] sorted = IntStream.range(0, vocab).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -row[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
        int n = Math.min(top, vocab);
        assertThat(lp.top()).hasSize(n);
        for (int k = 0; k < n; k++) {
            TokenLogprobs.Alternative a = lp.top().get(k);
            // ties may come in either order, but the values must be those of the k-th best
            assertThat(row[a.token()]).as("rank %d", k).isEqualTo(row[sorted[k]]);
            assertThat((double) a.logprob()).isCloseTo(row[a.token()] - logZ, within(1e-4));
        }
        assertThat(lp.top().stream().map(TokenLogprobs.Alternative::token).distinct().count()).isEqualTo(n);
    }
}
