package ai.sluice.engine;

import ai.sluice.core.sampling.Sampler;
import ai.sluice.core.sampling.SamplingParams;
import java.util.Map;

/**
 * Picks one sequence's next token with core's {@link Sampler}. Penalties look at the last
 * {@link #PENALTY_WINDOW} tokens of prompt plus output, as llama.cpp's default repeat-last-n.
 * One per sequence: the sampler's random state continues across preemptions.
 */
final class TokenPicker {
    static final int PENALTY_WINDOW = 64;

    private final Sampler sampler;
    private final int[] window;
    /** The request's logit bias as parallel arrays, applied in id order. */
    private final int[] biasedTokens;
    private final float[] biases;

    TokenPicker(SamplingParams params, Map<Integer, Float> logitBias, int vocab) {
        this.sampler = new Sampler(params, vocab);
        this.window = params.hasPenalties() ? new int[PENALTY_WINDOW] : null;
        this.biasedTokens = logitBias.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        this.biases = new float[biasedTokens.length];
        for (int i = 0; i < biasedTokens.length; i++) {
            biases[i] = logitBias.get(biasedTokens[i]);
        }
    }

    /** Positions the sampler's random state after {@code samples} earlier picks (a resumed request). */
    void skip(int samples) {
        sampler.skipSamples(samples);
    }

    /**
     * Picks from {@code logits[0 .. vocab)} (biased in place: the caller passes its own copy);
     * {@code tokens[0 .. length)} are the sequence so far.
     */
    int pick(float[] logits, int[] tokens, int length) {
        for (int i = 0; i < biasedTokens.length; i++) {
            logits[biasedTokens[i]] += biases[i];
        }
        if (window == null) {
            return sampler.sample(logits);
        }
        int n = Math.min(length, window.length);
        System.arraycopy(tokens, length - n, window, 0, n);
        return sampler.sample(logits, window, n);
    }
}
