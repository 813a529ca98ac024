package ai.sluice.core.model;

import ai.sluice.core.tensor.HalfRounding;
import ai.sluice.core.tensor.HalfVectors;
import ai.sluice.core.tensor.VectorMath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

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
 */
final class HalfAttention {
    /** Below this head size llama.cpp's F16 dot product is its scalar loop, summed in double. */
    private static final int SCALAR_DOT = 32;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    /** Per thread: the rounded query, then per position the rescale and the weight of its value row. */
    private final ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /**
     * {@code out[outOff .. outOff + vn)} = attention of {@code q[qOff .. qOff + n)} over positions
     * {@code 0 .. len - 1} of {@code slots}: keys at {@code kOff} of each K row, values at {@code vOff}
     * of each V row, scores times {@code scale}. {@code scores} holds at least {@code len} floats.
     */
    void attend(KvCacheMemory kv, int layer, SlotMapping slots, int len, int kOff, float[] q, int qOff, int n,
            float scale, float[] scores, int vOff, float[] out, int outOff, int vn) {
        float[][] s = scratch.get();
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
        MemorySegment keys = kv.keySegment(layer);
        for (int t = 0; t < len; t++) {
            long at = (long) slots.slot(t) * kv.keyDim() + kOff;
            scores[t] = dot(keys, at, qh, n) * scale;
        }
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
        MemorySegment values = kv.valueSegment(layer);
        int i = 0;
        if (HalfVectors.supported()) {
            for (; i <= vn - L; i += L) {
                FloatVector acc = FloatVector.zero(F);
                for (int t = 0; t < len; t++) {
                    if (rescale[t] != 1f) {
                        acc = HalfRounding.round(acc.mul(rescale[t]));
                    }
                    long at = (long) slots.slot(t) * kv.valueDim() + vOff + i;
                    acc = HalfRounding.round(HalfVectors.load(values, at * 2).fma(FloatVector.broadcast(F, weight[t]), acc));
                }
                acc.mul(inv).intoArray(out, outOff + i);
            }
        }
        for (; i < vn; i++) {
            float acc = 0f;
            for (int t = 0; t < len; t++) {
                if (rescale[t] != 1f) {
                    acc = HalfRounding.round(acc * rescale[t]);
                }
                long at = (long) slots.slot(t) * kv.valueDim() + vOff + i;
                acc = HalfRounding.round(Math.fma(half(values, at), weight[t], acc));
            }
            out[outOff + i] = acc * inv;
        }
    }

    /** q . K[at .. at + n): the products of two halves are exact in float. */
    private static float dot(MemorySegment keys, long at, float[] qh, int n) {
        if (n < SCALAR_DOT || !HalfVectors.supported()) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += qh[i] * half(keys, at + i);
            }
            return (float) sum;
        }
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - L; i += L) {
            acc = FloatVector.fromArray(F, qh, i).fma(HalfVectors.load(keys, (at + i) * 2), acc);
        }
        float sum = VectorMath.sumLanes(acc);
        for (; i < n; i++) {
            sum += qh[i] * half(keys, at + i);
        }
        return sum;
    }

    private static float half(MemorySegment m, long index) {
        return Float.float16ToFloat(m.getAtIndex(ValueLayout.JAVA_SHORT, index));
    }
}
