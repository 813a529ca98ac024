package ai.sluice.core.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HalfAttention}'s loops on the JDK Vector API: the portable path, and the reference the
 * native loops are held to. The scores' order: the products (exact: two halves) summed in double
 * in column order below {@link #SCALAR_DOT} columns (llama.cpp's scalar loop), else one float FMA
 * chain per lane of the preferred species, the lanes added in lane order, then the tail columns.
 */
enum JavaAttentionLoops implements HalfAttentionLoops {
    INSTANCE;

    /** Below this head size llama.cpp's F16 dot product is its scalar loop, summed in double. */
    static final int SCALAR_DOT = 32;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    /**
     * The lanes the scores are summed over (0: in double, column order, at every head size: where
     * the Vector API has no half-precision loads here); the native loops take the same number.
     */
    static int scoreLanes() {
        return HalfVectors.supported() ? L : 0;
    }

    /**
     * Position by position, every column's chain of roundings advanced one step. Kept in memory,
     * not in registers, and in a method of its own: in registers, or inlined into {@link
     * HalfAttention#attend}, C2 ran out of inlining budget for the conversions and boxed the vectors
     * (4x slower).
     */
    @Override
    public void values(MemorySegment values, int valueDim, int[] slots, int len, int vOff,
            float[] rescale, float[] weight, float[] out, int outOff, int vn) {
        Arrays.fill(out, outOff, outOff + vn, 0f);
        int vectorEnd = HalfVectors.supported() ? vn / L * L : 0;
        for (int t = 0; t < len; t++) {
            float ms = rescale[t];
            if (ms != 1f) {
                rescale(out, outOff, vn, ms);
            }
            long at = (long) slots[t] * valueDim + vOff;
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

    /** A method of its own for the reason given at {@link #values}. */
    @Override
    public void scores(MemorySegment keys, int keyDim, int[] slots, int len, int kOff, float[] qh, int n,
            float scale, float[] scores) {
        for (int t = 0; t < len; t++) {
            long at = (long) slots[t] * keyDim + kOff;
            scores[t] = dot(keys, at, qh, n) * scale;
        }
    }

    /**
     * {@code acc = f16(acc * ms)} over the accumulator (on a new maximum: a few times per call).
     * Scalar on purpose: a vector form inlined into {@link #values} used up C2's node budget
     * (NodeCountInliningCutoff) before the main loop's rounding, which then ran as a call with boxed
     * vectors.
     */
    private static void rescale(float[] acc, int off, int n, float ms) {
        for (int i = 0; i < n; i++) {
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

    @Override
    public String toString() {
        return "java";
    }
}
