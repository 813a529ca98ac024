package ai.sluice.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Activations quantized to 8 bits in blocks of 32, the way llama.cpp quantizes them before a
 * Q8_0 or Q4_0 dot product: per block, scale {@code d = max|x| / 127} rounded to half precision,
 * {@code q = round(x * 127 / max|x|)} to nearest, ties to even.
 *
 * <p>What is kept is {@code q * d} as a float, and that product is exact: q has at most 8
 * significant bits and d, a half, 11. The kernels then multiply these values by the weights' own
 * exact {@code quant * scale} floats in the float kernels' one summation order, so a quantized
 * product rounds like any float product (llama.cpp sums each block in integers and scales it once;
 * the two differ by float rounding, about 1e-7 relative) and the batch-of-one and tiled paths agree
 * to the bit.
 *
 * <p>Not thread-safe: one instance per calling thread, filled before a matrix product and then only
 * read by the workers.
 */
final class Int8Activations {
    static final int BLOCK = 32;
    /** Adding and subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer, ties to even. */
    private static final float ROUNDER = 12582912f;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private float[] values = new float[0];
    private float[] scales = new float[0];
    private float[] pairs = new float[0];

    /** Quantizes entries {@code b < batch} of {@code x} (each {@code cols} long, from {@code xOff}). */
    void quantize(float[] x, int xOff, int batch, int cols) {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of " + BLOCK);
        }
        int n = Math.multiplyExact(batch, cols);
        if (values.length < n) {
            values = new float[n];
            scales = new float[n / BLOCK];
        }
        for (int block = 0; block < n / BLOCK; block++) {
            quantizeBlock(x, xOff + block * BLOCK, block);
        }
        if (PairedTokenTile.SUPPORTED && batch >= PairedTokenTile.TOKEN_TILE) {
            interleavePairs(batch / 2, cols);
        }
    }

    /** Tokens 2P and 2P+1 interleaved by 8 columns: the layout {@link PairedTokenTile} loads 16 at a time. */
    private void interleavePairs(int count, int cols) {
        if (pairs.length < 2 * count * cols) {
            pairs = new float[2 * count * cols];
        }
        VectorSpecies<Float> eight = FloatVector.SPECIES_256;
        for (int pair = 0; pair < count; pair++) {
            int from = 2 * pair * cols;
            int to = 2 * pair * cols;
            for (int k = 0; k < cols; k += 8, to += 16) {
                FloatVector.fromArray(eight, values, from + k).intoArray(pairs, to);
                FloatVector.fromArray(eight, values, from + cols + k).intoArray(pairs, to + 8);
            }
        }
    }

    private void quantizeBlock(float[] x, int from, int block) {
        float amax = 0f;
        int j = 0;
        if (BLOCK % L == 0) {
            FloatVector m = FloatVector.zero(F);
            for (; j < BLOCK; j += L) {
                m = m.max(FloatVector.fromArray(F, x, from + j).abs());
            }
            amax = m.reduceLanes(VectorOperators.MAX); // a maximum is exact in any order
        }
        for (; j < BLOCK; j++) {
            amax = Math.max(amax, Math.abs(x[from + j]));
        }
        float inverse = amax != 0f ? 127f / amax : 0f;
        float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        scales[block] = d;
        int to = block * BLOCK;
        int k = 0;
        if (BLOCK % L == 0) {
            // |x * inverse| <= 127: the add/subtract trick rounds exactly like rint
            for (; k < BLOCK; k += L) {
                FloatVector q = FloatVector.fromArray(F, x, from + k).mul(inverse).add(ROUNDER).sub(ROUNDER);
                q.mul(d).intoArray(values, to + k);
            }
        }
        for (; k < BLOCK; k++) {
            float q = (x[from + k] * inverse + ROUNDER) - ROUNDER;
            values[to + k] = q * d;
        }
    }

    /** {@code q * d} per element (exact), entry {@code b}'s at {@code b} times the row length. */
    float[] values() {
        return values;
    }

    /**
     * On 512-bit machines, for batches of at least 4: tokens {@code 2P} and {@code 2P+1}'s values
     * interleaved by chunks of 8 columns, pair {@code P} at {@code 2P} times the row length.
     */
    float[] pairs() {
        return pairs;
    }

    /** One scale per block of 32, entry {@code b}'s at {@code b} times the row length / 32. */
    float[] scales() {
        return scales;
    }
}
