package ai.sluice.core.sampling;

import java.util.SplittableRandom;

/**
 * Picks next tokens for one sequence. Steps, in order: penalties over the previous tokens
 * (repetition, presence, frequency), temperature, top-k, top-p, min-p, then a draw from a seeded
 * generator. Temperature 0 is greedy: the argmax of the penalized logits, ties to the lowest id.
 *
 * <p>Buffers are sized to the vocabulary once; {@link #sample} allocates nothing. Not thread-safe:
 * one sampler per sequence.
 */
public final class Sampler {
    private final SamplingParams params;
    private final int vocab;
    private final SplittableRandom random;
    private final float[] work;
    private final int[] ids;
    private final float[] probs;
    private final int[] counts;

    public Sampler(SamplingParams params, int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocabSize);
        }
        this.params = params;
        this.vocab = vocabSize;
        this.random = new SplittableRandom(params.seed());
        this.work = new float[vocabSize];
        this.ids = new int[vocabSize];
        this.probs = new float[vocabSize];
        this.counts = params.hasPenalties() ? new int[vocabSize] : null;
    }

    public SamplingParams params() {
        return params;
    }

    /**
     * Moves the random state on as {@code samples} calls of {@link #sample} would, without logits:
     * each sample at temperature > 0 takes exactly one draw ({@code nextDouble}), a greedy one none.
     * A run that continues another from its tokens (stream resume) then draws what the original
     * run would have drawn next.
     */
    public void skipSamples(int samples) {
        if (samples < 0) {
            throw new IllegalArgumentException("samples must be >= 0, got " + samples);
        }
        if (params.temperature() == 0f) {
            return;
        }
        for (int i = 0; i < samples; i++) {
            random.nextDouble();
        }
    }

    /** Samples from {@code logits[0 .. vocab)} with no previous tokens. */
    public int sample(float[] logits) {
        return sample(logits, null, 0);
    }

    /**
     * Samples the next token from {@code logits[0 .. vocab)} (left unchanged), penalizing the
     * tokens {@code history[0 .. historyLength)} (the caller picks the window, e.g. the last 64).
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        if (logits.length < vocab) {
            throw new IllegalArgumentException("logits hold " + logits.length + " values, the vocabulary " + vocab);
        }
        float[] l = work;
        System.arraycopy(logits, 0, l, 0, vocab);
        if (counts != null && historyLength > 0) {
            applyPenalties(l, history, historyLength);
        }
        if (params.temperature() == 0f) {
            return argmax(l, vocab);
        }
        float invT = 1f / params.temperature();
        for (int i = 0; i < vocab; i++) {
            l[i] *= invT;
        }
        for (int i = 0; i < vocab; i++) {
            ids[i] = i;
        }
        int n = vocab;
        boolean sorted = false;
        if (params.topK() > 0 && params.topK() < n) {
            TokenOrder.selectTop(ids, n, params.topK(), l);
            n = params.topK();
        }
        if (params.topP() < 1f || params.minP() > 0f) {
            TokenOrder.sortDescending(ids, n, l);
            sorted = true;
        }
        // softmax over the candidates (relative to the largest logit for stability)
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, l[ids[j]]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float p = (float) Math.exp(l[ids[j]] - max);
            probs[j] = p;
            sum += p;
        }
        if (sorted) {
            n = cutTail(n, sum);
            sum = 0;
            for (int j = 0; j < n; j++) {
                sum += probs[j];
            }
        }
        // draw: walk the cumulative mass up to u * sum
        double u = random.nextDouble() * sum;
        double acc = 0;
        for (int j = 0; j < n; j++) {
            acc += probs[j];
            if (u < acc) {
                return ids[j];
            }
        }
        return ids[n - 1];
    }

    /** Applies top-p then min-p to candidates sorted by probability; returns how many remain (>= 1). */
    private int cutTail(int n, double sum) {
        if (params.topP() < 1f) {
            double target = params.topP() * sum;
            double acc = 0;
            int keep = n;
            for (int j = 0; j < n; j++) {
                acc += probs[j];
                if (acc >= target) {
                    keep = j + 1;
                    break;
                }
            }
            n = keep;
        }
        if (params.minP() > 0f) {
            float threshold = params.minP() * probs[0];
            int keep = 1;
            while (keep < n && probs[keep] >= threshold) {
                keep++;
            }
            n = keep;
        }
        return n;
    }

    private void applyPenalties(float[] l, int[] history, int length) {
        for (int i = 0; i < length; i++) {
            int t = history[i];
            if (t >= 0 && t < vocab) {
                counts[t]++;
            }
        }
        float rep = params.repetitionPenalty();
        for (int i = 0; i < length; i++) {
            int t = history[i];
            if (t < 0 || t >= vocab || counts[t] == 0) {
                continue; // out of range, or already penalized
            }
            float v = l[t];
            v = v > 0 ? v / rep : v * rep;
            v -= counts[t] * params.frequencyPenalty() + params.presencePenalty();
            l[t] = v;
            counts[t] = 0;
        }
    }

    /** Index of the largest value; ties go to the lowest index. */
    public static int argmax(float[] values, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
