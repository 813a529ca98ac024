package ai.sluice.engine;

import ai.sluice.core.sampling.Sampler;
import ai.sluice.core.sampling.SamplingParams;

/**
 * Picks one sequence's next token with core's {@link Sampler}. Penalties look at the last
 * {@link #PENALTY_WINDOW} tokens of prompt plus output, as llama.cpp's default repeat-last-n.
 * One per sequence: the sampler's random state continues across preemptions.
 */
final class TokenPicker {
    static final int PENALTY_WINDOW = 64;

    private final Sampler sampler;
    private final int[] window;

    TokenPicker(SamplingParams params, int vocab) {
        this.sampler = new Sampler(params, vocab);
        this.window = params.hasPenalties() ? new int[PENALTY_WINDOW] : null;
    }

    /** Picks from {@code logits[0 .. vocab)}; {@code tokens[0 .. length)} are the sequence so far. */
    int pick(float[] logits, int[] tokens, int length) {
        if (window == null) {
            return sampler.sample(logits);
        }
        int n = Math.min(length, window.length);
        System.arraycopy(tokens, length - n, window, 0, n);
        return sampler.sample(logits, window, n);
    }
}
