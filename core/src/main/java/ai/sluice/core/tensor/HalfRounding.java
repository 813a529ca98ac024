package ai.sluice.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Floats rounded to the nearest half-precision value (ties to even), kept as floats: what
 * llama.cpp's CPU backend does to a value it stores as F16 and reads back. It rounds the inputs of
 * a product with F16 weights to F16 (the weights' "vec_dot_type"), and its flash attention over an
 * F16 cache rounds the query and accumulates the weighted values in F16: to give llama.cpp's
 * tokens, Sluice rounds at the same places ({@code CpuBackend}, {@code core.tensor.HalfAttention}).
 *
 * <p>The vector form needs no conversion instruction: adding {@code C = 1.5 x 2^(e + 13)}, where
 * {@code 2^e} is the value's binade (at least 2^-14, where half precision turns subnormal), leaves
 * exactly the bits a half keeps above the float's last place, so the add rounds to nearest even at
 * the half's last place and subtracting {@code C} again is exact (then the sign is put back, for
 * values that round to zero). A result past the largest half (65504) is a half's overflow: it
 * becomes infinite, with the value's sign, as the conversion (and an F16 store in llama.cpp) makes
 * it. The scalar form does the same arithmetic, so both give the same bits, equal to
 * {@code Float.float16ToFloat(Float.floatToFloat16(x))} for every float (NaN stays NaN); so does
 * F16C's conversion there and back, which the native attention loops use.
 */
public final class HalfRounding {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int EXPONENT = 0x7F80_0000;
    private static final int SIGN = 0x8000_0000;
    /** The binade of 2^-14, the smallest normal half: below it the half's grid is 2^-24 throughout. */
    private static final int SMALLEST_NORMAL = 0x3880_0000;
    /** Adds 13 to the exponent (2^13: a float keeps 13 bits more than a half) and sets the 0.5 mantissa bit (x 1.5). */
    private static final int SHIFT = (13 << 23) | 0x0040_0000;
    /** The largest finite half: a result above it is the half's overflow. */
    private static final float LARGEST = 65504f;

    private HalfRounding() {
    }

    /** {@code x} rounded to the nearest half (ties to even), as a float. */
    public static float round(float x) {
        float c = Float.intBitsToFloat(Math.max(Float.floatToRawIntBits(x) & EXPONENT, SMALLEST_NORMAL) + SHIFT);
        float r = Math.copySign((x + c) - c, x);
        return Math.abs(r) > LARGEST ? Math.copySign(Float.POSITIVE_INFINITY, x) : r;
    }

    /** Every lane rounded as {@link #round(float)} rounds it. */
    public static FloatVector round(FloatVector x) {
        IntVector binade = x.reinterpretAsInts().and(EXPONENT).max(SMALLEST_NORMAL);
        FloatVector c = binade.add(SHIFT).reinterpretAsFloats();
        // the sign put back: a value that rounds to zero keeps its sign, as in a half
        IntVector sign = x.reinterpretAsInts().and(SIGN);
        FloatVector r = x.add(c).sub(c).reinterpretAsInts().or(sign).reinterpretAsFloats();
        return r.blend(sign.or(EXPONENT).reinterpretAsFloats(), r.abs().compare(VectorOperators.GT, LARGEST));
    }

    /** {@code out[outOff + i] = round(x[xOff + i])} for {@code i < n}. */
    public static void round(float[] x, int xOff, int n, float[] out, int outOff) {
        int i = 0;
        for (int upper = n - L; i <= upper; i += L) {
            round(FloatVector.fromArray(F, x, xOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = round(x[xOff + i]);
        }
    }
}
