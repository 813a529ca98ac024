package ai.sluice.core.quant.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuantEvalTest {

    /** A "model" that puts all its mass (up to {@code sharpness}) on token (last + 1) mod vocab. */
    private static LogitsSource successor(int vocab, float sharpness, List<int[]> seen) {
        return tokens -> {
            seen.add(tokens.clone());
            float[][] out = new float[tokens.length][vocab];
            for (int i = 0; i < tokens.length; i++) {
                out[i][(tokens[i] + 1) % vocab] = sharpness;
            }
            return out;
        };
    }

    @Test
    void scoresTheSecondHalfOfEachWholeWindowWithBosFirst() {
        int[] tokens = {5, 1, 2, 3, 4, 5, 6, 7, 0, 1};           // 2 windows of 4, tail of 2 dropped
        List<int[]> seenRef = new ArrayList<>();
        List<int[]> seenQuant = new ArrayList<>();
        List<Integer> progress = new ArrayList<>();

        EvalResult r = QuantEval.run(successor(8, 10, seenRef), successor(8, 10, seenQuant), tokens,
                new QuantEval.Options(4, 9 % 8), (done, total) -> progress.add(done * 10 + total));

        assertThat(seenRef).containsExactly(new int[] {1, 1, 2, 3}, new int[] {1, 5, 6, 7});
        assertThat(seenQuant).containsExactlyElementsOf(seenRef);
        assertThat(progress).containsExactly(12, 22);
        // ctx 4: positions 2..2 in each window, i.e. one prediction per window
        assertThat(r.positions()).isEqualTo(2);
        assertThat(r.meanKl()).isZero();
        assertThat(r.top1Agreement()).isEqualTo(1.0);
        // p(true next) = e^10 / (e^10 + 7) at both positions
        assertThat(r.perplexityReference()).isCloseTo((Math.exp(10) + 7) / Math.exp(10), within(1e-12));
    }

    @Test
    void aBlurrierQuantizedModelShowsAsDivergenceAndHigherPerplexity() {
        int[] tokens = new int[64];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i % 8;
        }
        EvalResult r = QuantEval.run(successor(8, 6, new ArrayList<>()), successor(8, 3, new ArrayList<>()),
                tokens, new QuantEval.Options(16, -1), QuantEval.Progress.NONE);

        assertThat(r.positions()).isEqualTo(4 * 7);
        assertThat(r.meanKl()).isPositive();
        assertThat(r.p99Kl()).isCloseTo(r.meanKl(), within(1e-12)); // every position alike
        assertThat(r.perplexityQuantized()).isGreaterThan(r.perplexityReference());
        assertThat(r.top1Agreement()).isEqualTo(1.0);
    }

    @Test
    void refusesTextShorterThanOneWindowAndBadModels() {
        LogitsSource ok = successor(8, 1, new ArrayList<>());
        assertThatThrownBy(() -> QuantEval.run(ok, ok, new int[10], new QuantEval.Options(16, -1),
                QuantEval.Progress.NONE)).hasMessageContaining("fewer than one window of 16");
        LogitsSource shortOne = t -> new float[1][8];
        assertThatThrownBy(() -> QuantEval.run(ok, shortOne, new int[16], new QuantEval.Options(16, -1),
                QuantEval.Progress.NONE)).hasMessageContaining("quantized model returned 1 positions");
        assertThatThrownBy(() -> new QuantEval.Options(2, -1)).hasMessageContaining("QuantEval.Options.ctx");
    }
}
