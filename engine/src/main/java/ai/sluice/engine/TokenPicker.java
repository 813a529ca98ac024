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
    /** Structured output: null when the request has no constraint. */
    private final ConstraintMask constraint;
    /** min_tokens: null when the request has none. */
    private final MinTokens minTokens;

    TokenPicker(SamplingParams params, Map<Integer, Float> logitBias, int vocab) {
        this(params, logitBias, vocab, null, null);
    }

    TokenPicker(SamplingParams params, Map<Integer, Float> logitBias, int vocab, ConstraintMask constraint,
                MinTokens minTokens) {
        this.constraint = constraint;
        this.minTokens = minTokens;
        this.sampler = new Sampler(params, vocab);
        this.window = params.hasPenalties() ? new int[PENALTY_WINDOW] : null;
        this.biasedTokens = logitBias.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        this.biases = new float[biasedTokens.length];
        for (int i = 0; i < biasedTokens.length; i++) {
            biases[i] = logitBias.get(biasedTokens[i]);
        }
    }

    /**
     * Replays {@code token}, picked by an earlier run of this request, through the constraint (a
     * resumed request); false when the constraint does not allow it here.
     */
    boolean replay(int token) {
        if (constraint == null) {
            return true;
        }
        if (!constraint.allows(token)) {
            return false;
        }
        constraint.accept(token);
        return true;
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
        return pick(logits, tokens, length, Integer.MAX_VALUE);
    }

    /** As {@link #pick(float[], int[], int)}, for the token after {@code generated} generated ones (min_tokens). */
    int pick(float[] logits, int[] tokens, int length, int generated) {
        for (int i = 0; i < biasedTokens.length; i++) {
            logits[biasedTokens[i]] += biases[i];
        }
        if (constraint != null) {
            constraint.apply(logits);
        }
        if (minTokens != null) {
            minTokens.apply(logits, generated);
        }
        int token;
        if (window == null) {
            token = sampler.sample(logits);
        } else {
            int n = Math.min(length, window.length);
            System.arraycopy(tokens, length - n, window, 0, n);
            token = sampler.sample(logits, window, n);
        }
        if (constraint != null) {
            constraint.accept(token);
        }
        return token;
    }
}
