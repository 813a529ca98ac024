package ai.sluice.core.model;

/** Test helper: argmax with ties to the lowest id, as the oracle does. */
final class Greedy {
    private Greedy() {
    }

    static int argmax(float[] logits, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (logits[off + i] > logits[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** The prompt as one batch, then {@code steps} greedy tokens, one per step. */
    static int[] generate(Generator g, int[] prompt, int steps) {
        int[] out = new int[steps];
        float[] logits = g.prompt(prompt);
        for (int s = 0; s < steps; s++) {
            out[s] = argmax(logits, 0, logits.length);
            if (s + 1 < steps) {
                logits = g.next(out[s]);
            }
        }
        return out;
    }
}
