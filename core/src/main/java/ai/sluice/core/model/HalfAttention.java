package ai.sluice.core.model;

import ai.sluice.core.tensor.HalfRounding;
import ai.sluice.core.tensor.HalfVectors;
import ai.sluice.core.tensor.VectorMath;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
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
    private HalfAttention() {
    }

    /** Below this head size llama.cpp's F16 dot product is its scalar loop, summed in double. */
    private static final int SCALAR_DOT = 32;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    /** Per thread: the rounded query, then per position the rescale and the weight of its value row. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[0]});

    /**
     * {@code out[outOff .. outOff + vn)} = attention of {@code q[qOff .. qOff + n)} over positions
     * {@code 0 .. len - 1} of {@code slots}: keys at {@code kOff} of each K row, values at {@code vOff}
     * of each V row, scores times {@code scale}. {@code scores} holds at least {@code len} floats.
     */
    static void attend(KvCacheMemory kv, int layer, SlotMapping slots, int len, int kOff, float[] q, int qOff, int n,
            float scale, float[] scores, int vOff, float[] out, int outOff, int vn) {
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
        scores(kv.keySegment(layer), kv.keyDim(), slots, len, kOff, qh, n, scale, scores);
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
        accumulate(kv.valueSegment(layer), kv.valueDim(), slots, len, vOff, rescale, weight, out, outOff, vn);
        for (int i = 0; i < vn; i++) {
            out[outOff + i] *= inv;
        }
    }

    /**
     * The weighted sum of the value rows into {@code out} (the accumulator, zeroed here): position
     * by position, every column's chain of roundings advanced one step. Kept in memory, not in
     * registers, and in a method of its own: in registers, or inlined into {@link #attend}, C2 ran
     * out of inlining budget for the conversions and boxed the vectors (4x slower).
     */
    private static void accumulate(MemorySegment values, int valueDim, SlotMapping slots, int len, int vOff,
            float[] rescale, float[] weight, float[] out, int outOff, int vn) {
        Arrays.fill(out, outOff, outOff + vn, 0f);
        int vectorEnd = HalfVectors.supported() ? vn / L * L : 0;
        for (int t = 0; t < len; t++) {
            float ms = rescale[t];
            if (ms != 1f) {
                rescale(out, outOff, vn, vectorEnd, ms);
            }
            long at = (long) slots.slot(t) * valueDim + vOff;
            FloatVector w = FloatVector.broadcast(F, weight[t]);
            for (int i = 0; i < vectorEnd; i += L) {
                HalfRounding.round(HalfVectors.load(values, (at + i) * 2).fma(w, FloatVector.fromArray(F, out, outOff + i)))
                        .intoArray(out, outOff + i);
            }
            for (int i = vectorEnd; i < vn; i++) {
                out[outOff + i] = HalfRounding.round(Math.fma(half(values, at + i), weight[t], out[outOff + i]));
            }
        }
    }

    /** {@code scores[t] = (qh . K_t) * scale}, a method of its own for the reason given at {@link #accumulate}. */
    private static void scores(MemorySegment keys, int keyDim, SlotMapping slots, int len, int kOff, float[] qh, int n,
            float scale, float[] scores) {
        for (int t = 0; t < len; t++) {
            long at = (long) slots.slot(t) * keyDim + kOff;
            scores[t] = dot(keys, at, qh, n) * scale;
        }
    }

    /** {@code acc = f16(acc * ms)} over the accumulator (on a new maximum). */
    private static void rescale(float[] acc, int off, int n, int vectorEnd, float ms) {
        for (int i = 0; i < vectorEnd; i += L) {
            HalfRounding.round(FloatVector.fromArray(F, acc, off + i).mul(ms)).intoArray(acc, off + i);
        }
        for (int i = vectorEnd; i < n; i++) {
            acc[off + i] = HalfRounding.round(acc[off + i] * ms);
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
