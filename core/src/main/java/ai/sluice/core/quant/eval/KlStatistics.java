package ai.sluice.core.quant.eval;

import java.util.Arrays;

/**
 * Accumulates, position by position, how far a quantized model's next-token distributions are from
 * a reference model's: the log-likelihood of the true next token under each (for perplexity), the
 * KL divergence {@code KL(P_ref || P_q)}, and whether both models' most likely tokens agree.
 *
 * <p>All arithmetic is in double, and the softmaxes are taken as log-softmax around the maximum
 * logit ({@code log p_i = x_i - m - log sum_j exp(x_j - m)}), so no exponential overflows and tiny
 * probabilities keep their precision. Not thread-safe.
 */
public final class KlStatistics {
    private double[] kl = new double[256];
    private int positions;
    private double nllRef;
    private double nllQuant;
    private int top1Agree;
    // Scratch log-probabilities, reused across positions (sized on first use).
    private double[] logRef = new double[0];
    private double[] logQuant = new double[0];

    /**
     * Adds one position.
     *
     * @param reference the reference model's logits
     * @param quantized the quantized model's logits (same vocabulary)
     * @param nextToken the token that actually follows in the text
     */
    public void add(float[] reference, float[] quantized, int nextToken) {
        int n = reference.length;
        if (quantized.length != n) {
            throw new IllegalArgumentException("vocabulary sizes differ: reference has " + n
                    + " logits, quantized " + quantized.length);
        }
        if (nextToken < 0 || nextToken >= n) {
            throw new IllegalArgumentException("token " + nextToken + " is outside the vocabulary of " + n);
        }
        if (logRef.length != n) {
            logRef = new double[n];
            logQuant = new double[n];
        }
        int argmaxRef = logSoftmax(reference, logRef, "reference");
        int argmaxQuant = logSoftmax(quantized, logQuant, "quantized");

        // KL(P || Q) = sum_i p_i (log p_i - log q_i); terms with p_i = 0 contribute 0 by convention.
        double divergence = 0;
        for (int i = 0; i < n; i++) {
            double p = Math.exp(logRef[i]);
            if (p > 0) {
                divergence += p * (logRef[i] - logQuant[i]);
            }
        }
        // The exact value is >= 0; rounding can leave a few ulps below zero for identical inputs.
        record(Math.max(0, divergence));
        nllRef -= logRef[nextToken];
        nllQuant -= logQuant[nextToken];
        if (argmaxRef == argmaxQuant) {
            top1Agree++;
        }
    }

    /** Writes log-softmax(x) into {@code out}; returns the index of the largest logit (the first on ties). */
    private static int logSoftmax(float[] x, double[] out, String which) {
        int argmax = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(which + " logit " + i + " is " + v);
            }
            if (v > max) {
                max = v;
                argmax = i;
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException(which + " logits are all -infinity");
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        double logNorm = max + Math.log(sum);
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - logNorm;
        }
        return argmax;
    }

    private void record(double value) {
        if (positions == kl.length) {
            kl = Arrays.copyOf(kl, kl.length * 2);
        }
        kl[positions++] = value;
    }

    public int positions() {
        return positions;
    }

    /** The figures over all positions added so far. */
    public EvalResult result() {
        if (positions == 0) {
            throw new IllegalStateException("no positions were evaluated");
        }
        double[] sorted = Arrays.copyOf(kl, positions);
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new EvalResult(positions,
                Math.exp(nllRef / positions),
                Math.exp(nllQuant / positions),
                sum / positions,
                percentile(sorted, 0.99),
                sorted[positions - 1],
                (double) top1Agree / positions);
    }

    /** Linear interpolation between the closest ranks (numpy's default), over sorted values. */
    static double percentile(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
