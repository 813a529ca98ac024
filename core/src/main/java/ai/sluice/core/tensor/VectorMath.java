package ai.sluice.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Float kernels on the JDK Vector API at the platform's preferred width, with scalar tails. */
public final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorMath() {
    }

    /**
     * sum_i a[aOff + i] * b[bOff + i] for i < n. Four independent accumulators hide the FMA latency;
     * a scalar loop finishes lengths that are not a multiple of the vector width.
     */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0f;
        if (n >= L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            int upper4 = n - 4 * L;
            for (; i <= upper4; i += 4 * L) {
                acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
                acc1 = FloatVector.fromArray(S, a, aOff + i + L).fma(FloatVector.fromArray(S, b, bOff + i + L), acc1);
                acc2 = FloatVector.fromArray(S, a, aOff + i + 2 * L)
                        .fma(FloatVector.fromArray(S, b, bOff + i + 2 * L), acc2);
                acc3 = FloatVector.fromArray(S, a, aOff + i + 3 * L)
                        .fma(FloatVector.fromArray(S, b, bOff + i + 3 * L), acc3);
            }
            int upper = n - L;
            for (; i <= upper; i += L) {
                acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
            }
            sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)));
        }
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /**
     * The lanes of {@code v} added in lane order. Not {@code reduceLanes(ADD)}: its order is
     * unspecified and differs between interpreted and compiled code, which would make identical
     * inputs give different bits before and after the JIT warms up (breaking batch invariance).
     */
    public static float sumLanes(FloatVector v) {
        // constant lane indices: a loop over lane(i) is not unrolled by C2 and boxes the vector into
        // an array on every call (hundreds of MB/s of garbage in decode)
        int n = v.length();
        if (n == 8 || n == 16) {
            float sum = v.lane(0) + v.lane(1) + v.lane(2) + v.lane(3) + v.lane(4) + v.lane(5) + v.lane(6) + v.lane(7);
            if (n == 16) {
                sum = sum + v.lane(8) + v.lane(9) + v.lane(10) + v.lane(11)
                        + v.lane(12) + v.lane(13) + v.lane(14) + v.lane(15);
            }
            return sum;
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += v.lane(i);
        }
        return sum;
    }

    /** {@code a[off .. off + n)} added in index order: {@link #sumLanes(FloatVector)} of a stored vector. */
    public static float sumLanes(float[] a, int off, int n) {
        float sum = a[off];
        for (int i = 1; i < n; i++) {
            sum += a[off + i];
        }
        return sum;
    }

    /** acc[accOff + i] += w * v[vOff + i] for i < n. */
    public static void axpy(float w, float[] v, int vOff, float[] acc, int accOff, int n) {
        int i = 0;
        if (n >= L) {
            FloatVector wv = FloatVector.broadcast(S, w);
            int upper = n - L;
            for (; i <= upper; i += L) {
                FloatVector.fromArray(S, v, vOff + i).fma(wv, FloatVector.fromArray(S, acc, accOff + i))
                        .intoArray(acc, accOff + i);
            }
        }
        for (; i < n; i++) {
            acc[accOff + i] += w * v[vOff + i];
        }
    }
}
