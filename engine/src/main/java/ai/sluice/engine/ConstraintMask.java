package ai.sluice.engine;

import java.util.Arrays;
import java.util.Set;

/**
 * Applies one sequence's {@link TokenConstraint} to its logits: every token the constraint does not
 * allow gets minus infinity (so greedy and every sampling filter skip it, and its probability is 0);
 * end-of-sequence tokens are allowed only when the output is complete. Log-probabilities are
 * reported from the model's logits before this mask, as vLLM reports raw logprobs by default.
 */
final class ConstraintMask {
    private final TokenConstraint.State state;
    private final int vocab;
    private final long[] bits;
    private final int[] ends;
    /** Nanoseconds spent computing masks (for benchmarks). */
    long maskNanos;
    int masks;

    ConstraintMask(TokenConstraint constraint, int vocab, boolean[] eos, Set<Integer> stopTokenIds) {
        this.state = constraint.start();
        this.vocab = vocab;
        this.bits = new long[(vocab + 63) >>> 6];
        int[] e = new int[vocab];
        int n = 0;
        for (int t = 0; t < vocab; t++) {
            if (eos[t] || stopTokenIds.contains(t)) {
                e[n++] = t;
            }
        }
        this.ends = Arrays.copyOf(e, n);
    }

    /** Sets the logits of disallowed tokens to minus infinity, in place. */
    void apply(float[] logits) {
        long start = System.nanoTime();
        state.allowed(bits);
        boolean any = false;
        for (long w : bits) {
            if (w != 0) {
                any = true;
                break;
            }
        }
        // a dead end (no token can continue) ends the sequence rather than emitting garbage
        if (state.complete() || !any) {
            for (int t : ends) {
                bits[t >>> 6] |= 1L << t;
            }
        }
        for (int w = 0; w < bits.length; w++) {
            long banned = ~bits[w];
            while (banned != 0) {
                int t = (w << 6) + Long.numberOfTrailingZeros(banned);
                if (t >= vocab) {
                    break;
                }
                logits[t] = Float.NEGATIVE_INFINITY;
                banned &= banned - 1;
            }
        }
        maskNanos += System.nanoTime() - start;
        masks++;
    }

    /**
     * Whether the constraint allows {@code token} now (a token of a resumed run, replayed through
     * {@link #accept}); the same rule as {@link #apply}, for one token.
     */
    boolean allows(int token) {
        if (Arrays.binarySearch(ends, token) >= 0) {
            return state.complete();
        }
        state.allowed(bits);
        return token < vocab && (bits[token >>> 6] & (1L << token)) != 0;
    }

    /** Moves the constraint past the picked token (end-of-sequence tokens end the output instead). */
    void accept(int token) {
        if (Arrays.binarySearch(ends, token) < 0) {
            state.accept(token);
        }
    }
}
