package ai.sluice.core.tensor;

/**
 * Attention of one query head over an F16 KV cache, computed the way llama.cpp's CPU flash
 * attention computes it (its default: F16 cache, flash attention on), so that the two engines pick
 * the same tokens. Measured against llama.cpp 0.5.0's intermediate tensors on stories260K, the
 * float attention Sluice did before (query in float, two-pass softmax, values summed in float)
 * was off by up to 1e-3 per output, enough to flip near-tied greedy tokens; this gives its outputs
 * bit for bit (head size below 32) or to float rounding (larger heads, where llama.cpp sums the
 * scores in vector lanes of its own layout):
 * <ol>
 *   <li>the query is rounded to F16 (llama.cpp converts it to the keys' type);</li>
 *   <li>score {@code s_t = (q . k_t) * scale}, the products exact, summed in double in column order
 *       below 32 columns (llama.cpp's scalar loop), else one float FMA chain per lane;</li>
 *   <li>online softmax in position order: on a new maximum {@code M}, the accumulator is scaled by
 *       {@code exp(M_old - M)} and rounded to F16; each value row is added as
 *       {@code acc = f16(fma(v_t, exp(s_t - M), acc))}; {@code S = S * ms + vs} unfused;</li>
 *   <li>{@code out = acc * (1 / S)}, in float.</li>
 * </ol>
 * Only llama.cpp's single-query path is followed: its prompt batches of 64 or more tokens take a
 * tiled path in float (AVX2 builds), so it gives different bits to a token depending on the batch
 * it came in. Sluice keeps one path for every position, whatever the batch (batch invariance).
 *
 * <p>The two loops over the cached rows (the scores; the value rows into the F16 accumulator) are
 * a {@link HalfAttentionLoops}, in Java or in C, the same bits; the softmax's scalars between
 * them are computed here, once, for both ({@link Math#exp}'s bits on either path).
 */
final class HalfAttention {
    private HalfAttention() {
    }

    /** Per thread: the rounded query, then per position the rescale and the weight of its value row. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /**
     * {@code out[outOff .. outOff + vn)} = attention of {@code q[qOff .. qOff + n)} over positions
     * {@code 0 .. len - 1} of {@code slots}: keys at {@code kOff} of each K row, values at {@code vOff}
     * of each V row, scores times {@code scale}. {@code scores} holds at least {@code len} floats.
     */
    static void attend(HalfAttentionLoops loops, KvCacheMemory kv, int layer, int[] slots, int len, int kOff,
            float[] q, int qOff, int n, float scale, float[] scores, int vOff, float[] out, int outOff, int vn) {
        float[][] s = SCRATCH.get();
        if (s[0].length < n) {
            s[0] = new float[n];
        }
        if (s[1].length < len) {
            s[1] = new float[Math.max(len, 2 * s[1].length)];
            s[2] = new float[s[1].length];
        }
        float[] qh = s[0];
        float[] rescale = s[1];
        float[] weight = s[2];
        HalfRounding.round(q, qOff, n, qh, 0);
        loops.scores(kv.keySegment(layer), kv.keyDim(), slots, len, kOff, qh, n, scale, scores);
        // the online softmax's scalars, position by position as llama.cpp takes them
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int t = 0; t < len; t++) {
            float ms = 1f;
            float vs = 1f;
            if (scores[t] > max) {
                ms = (float) Math.exp(max - scores[t]);
                max = scores[t];
            } else {
                vs = (float) Math.exp(scores[t] - max);
            }
            rescale[t] = ms;
            weight[t] = vs;
            sum = sum * ms + vs;
        }
        float inv = sum == 0f ? 0f : 1f / sum;
        loops.values(kv.valueSegment(layer), kv.valueDim(), slots, len, vOff, rescale, weight, out, outOff, vn);
        for (int i = 0; i < vn; i++) {
            out[outOff + i] *= inv;
        }
    }
}
