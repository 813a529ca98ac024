package ai.sluice.engine;

import java.util.Set;

/**
 * vLLM's {@code min_tokens} for one sequence: until {@code count} tokens are generated, the tokens
 * that would end it (EOS unless the request ignores it, and its stop token ids) get minus infinity,
 * so no sampler picks them; stop strings are not looked for in the text of those tokens
 * ({@link StopStrings#append(String, boolean)}, as vLLM's detokenizer checks them only from token
 * count + 1 on). Log-probabilities stay the model's own, as with every other mask.
 *
 * <p>One exception: when a structured-output constraint allows nothing but an ending (its output is
 * complete), the ending stays allowed rather than leaving no token to pick.
 */
final class MinTokens {
    private final int count;
    private final int[] ends;

    private MinTokens(int count, int[] ends) {
        this.count = count;
        this.ends = ends;
    }

    /** The rule for {@code request}, or null when it asks for none. */
    static MinTokens of(GenerationRequest request, boolean[] eos) {
        if (request.minTokens() == 0) {
            return null;
        }
        Set<Integer> stopIds = request.stopTokenIds();
        int n = 0;
        int[] ends = new int[eos.length];
        for (int t = 0; t < eos.length; t++) {
            if ((eos[t] && !request.ignoreEos()) || stopIds.contains(t)) {
                ends[n++] = t;
            }
        }
        return new MinTokens(request.minTokens(), java.util.Arrays.copyOf(ends, n));
    }

    /** Whether stop strings may end the text of the {@code generated}-th token (counting from 1). */
    static boolean stopsApply(GenerationRequest request, int generated) {
        return generated > request.minTokens();
    }

    /** Masks the endings in {@code logits} (already biased and constrained) while fewer than count are generated. */
    void apply(float[] logits, int generated) {
        if (generated >= count || ends.length == 0) {
            return;
        }
        float[] kept = new float[ends.length];
        for (int i = 0; i < ends.length; i++) {
            kept[i] = logits[ends[i]];
            logits[ends[i]] = Float.NEGATIVE_INFINITY;
        }
        for (float l : logits) {
            if (l != Float.NEGATIVE_INFINITY) {
                return;
            }
        }
        for (int i = 0; i < ends.length; i++) { // nothing else is allowed: the constraint's output is complete
            logits[ends[i]] = kept[i];
        }
    }
}
