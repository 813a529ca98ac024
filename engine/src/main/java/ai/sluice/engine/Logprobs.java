package ai.sluice.engine;

import java.util.ArrayList;
import java.util.List;

/** Log-softmax of a raw logits row, for requests that ask for logprobs. */
final class Logprobs {
    private Logprobs() {
    }

    /** The log-probability of {@code token} and the {@code top} most likely tokens in {@code logits[off .. off + vocab)}. */
    static TokenLogprobs of(float[] logits, int off, int vocab, int token, int top) {
        // log p_i = l_i - max - log(sum_j exp(l_j - max))
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[off + i] - max);
        }
        float logZ = max + (float) Math.log(sum);
        List<TokenLogprobs.Alternative> alternatives = new ArrayList<>(top);
        if (top > 0) {
            // partial selection: keep the best `top` ids in descending order (top <= 20)
            int[] ids = new int[top];
            int filled = 0;
            for (int i = 0; i < vocab; i++) {
                float v = logits[off + i];
                if (filled < top || v > logits[off + ids[filled - 1]]) {
                    int j = filled < top ? filled++ : top - 1;
                    while (j > 0 && logits[off + ids[j - 1]] < v) {
                        ids[j] = ids[j - 1];
                        j--;
                    }
                    ids[j] = i;
                }
            }
            for (int k = 0; k < filled; k++) {
                alternatives.add(new TokenLogprobs.Alternative(ids[k], logits[off + ids[k]] - logZ));
            }
        }
        return new TokenLogprobs(token, logits[off + token] - logZ, alternatives);
    }
}
