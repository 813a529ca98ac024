package ai.sluice.core.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Activations quantized to 8 bits in blocks of 32, the way llama.cpp quantizes them before a
 * Q8_0 or Q4_0 dot product: per block, scale {@code d = max|x| / 127} rounded to half precision,
 * {@code q = round(x * 127 / max|x|)} to nearest, ties to even. The quants are kept as shorts, the
 * width the int8 kernels multiply in, so that the hot loop loads them without widening, and as
 * floats for the tiled kernels, which multiply the same small integers exactly in float.
 *
 * <p>The floats are stored in <em>lane order</em>: within each half of a block, the even elements
 * and then the odd ones ({@code 0, 2, .., 14, 1, 3, .., 15}, then the same from 16). That is the
 * order in which {@link Int8Kernel}'s batch of one ends up with its products: it multiplies 16-bit
 * lanes and adds neighbouring lanes as one 32-bit lane, so its 32-bit lane {@code j} holds
 * elements {@code 2j, 2j+1, 2j+16, 2j+17}. A tile that walks 8-float chunks of this order puts the
 * same elements in the same lane, which is what keeps the paths bit-identical.
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
    /** 8 floats and 8 shorts, where 256-bit vectors are native (the int8 kernels' layout); else null: scalar, same values. */
    private static final VectorSpecies<Float> EIGHT =
            F.vectorBitSize() >= Int8Kernel.MIN_VECTOR_BITS ? FloatVector.SPECIES_256 : null;
    /** Half of a {@link PairedTokenTile} register: one token's 8 lanes. */
    private static final VectorSpecies<Float> PAIR_HALF = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_128;
    private static final VectorSpecies<Short> SIXTEEN_SHORTS = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> EIGHT_INTS = IntVector.SPECIES_256;

    private short[] quants = new short[0];
    private float[] quantsAsFloats = new float[0];
    private float[] scales = new float[0];
    private int[] nibbleOffsets = new int[0];
    /** Tokens after the last whole group of {@link Int8Kernel}'s token groups, each copied to index 0. */
    private short[][] tokenQuants = new short[0][];
    private int[][] tokenNibbleOffsets = new int[0][];
    private float[][] tokenScales = new float[0][];
    private float[] pairs = new float[0];
    private float[] pairScales = new float[0];
    /** The quants as int8 in the native repacked kernels' lane order (NativeInt8Kernel#prepare fills them). */
    private byte[] laneOrderBytes = new byte[0];
    /** Whether the kernels reading these take large batches through {@link PairedTokenTile} (see {@link Int8Kernel}). */
    private final boolean pairedTiles;

    Int8Activations(boolean pairedTiles) {
        this.pairedTiles = pairedTiles;
    }

    /** Quantizes entries {@code b < batch} of {@code x} (each {@code cols} long, from {@code xOff}). */
    void quantize(float[] x, int xOff, int batch, int cols) {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of " + BLOCK);
        }
        int n = Math.multiplyExact(batch, cols);
        if (quants.length < n) {
            quants = new short[n];
            quantsAsFloats = new float[n];
            scales = new float[n / BLOCK];
            nibbleOffsets = new int[n / BLOCK * 8];
        }
        for (int block = 0; block < n / BLOCK; block++) {
            quantizeBlock(x, xOff + block * BLOCK, block);
        }
        if (PairedTokenTile.takes(pairedTiles, batch)) {
            interleavePairs(batch / 2, cols);
        }
        if (batch > 1 && batch < Int8Kernel.TILED_MIN_BATCH) {
            copyUngroupedTokens(batch, cols);
        }
    }

    /**
     * Copies the tokens that {@link Int8Kernel} multiplies one by one (those after the last whole
     * group) to arrays of their own, so that its batch-of-one kernels read them at index 0.
     */
    private void copyUngroupedTokens(int batch, int cols) {
        int blocks = cols / BLOCK;
        if (tokenQuants.length < batch) {
            tokenQuants = Arrays.copyOf(tokenQuants, batch);
            tokenNibbleOffsets = Arrays.copyOf(tokenNibbleOffsets, batch);
            tokenScales = Arrays.copyOf(tokenScales, batch);
        }
        for (int t = Int8Kernel.firstUngroupedToken(batch); t < batch; t++) {
            if (tokenQuants[t] == null || tokenQuants[t].length < cols) {
                tokenQuants[t] = new short[cols];
                tokenNibbleOffsets[t] = new int[blocks * 8];
                tokenScales[t] = new float[blocks];
            }
            System.arraycopy(quants, t * cols, tokenQuants[t], 0, cols);
            System.arraycopy(nibbleOffsets, t * blocks * 8, tokenNibbleOffsets[t], 0, blocks * 8);
            System.arraycopy(scales, t * blocks, tokenScales[t], 0, blocks);
        }
    }

    /**
     * Tokens 2P and 2P+1 interleaved by 8 columns, the layout {@link PairedTokenTile} loads 16 at a
     * time, and per block their two scales, each repeated over 8 lanes.
     */
    private void interleavePairs(int count, int cols) {
        int blocks = cols / BLOCK;
        if (pairs.length < 2 * count * cols) {
            pairs = new float[2 * count * cols];
            pairScales = new float[count * blocks * 16];
        }
        for (int pair = 0; pair < count; pair++) {
            int from = 2 * pair * cols;
            int to = 2 * pair * cols;
            for (int k = 0; k < cols; k += 8, to += 16) {
                FloatVector.fromArray(PAIR_HALF, quantsAsFloats, from + k).intoArray(pairs, to);
                FloatVector.fromArray(PAIR_HALF, quantsAsFloats, from + cols + k).intoArray(pairs, to + 8);
            }
            for (int block = 0; block < blocks; block++) {
                int at = (pair * blocks + block) * 16;
                FloatVector.broadcast(PAIR_HALF, scales[2 * pair * blocks + block]).intoArray(pairScales, at);
                FloatVector.broadcast(PAIR_HALF, scales[(2 * pair + 1) * blocks + block]).intoArray(pairScales, at + 8);
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
        float d = amax / 127f;
        float inverse = amax != 0f ? 127f / amax : 0f;
        scales[block] = Float.float16ToFloat(Float.floatToFloat16(d));
        int to = block * BLOCK;
        int k = 0;
        if (EIGHT != null) {
            // |x * inverse| <= 127: the add/subtract trick rounds exactly like rint (vector and scalar
            // float arithmetic round alike): 128 x 768 inputs 107 -> 57 us, pairs layout included
            for (; k < BLOCK; k += 8) {
                FloatVector rounded = FloatVector.fromArray(EIGHT, x, from + k).mul(inverse).add(ROUNDER).sub(ROUNDER);
                ((ShortVector) rounded.convertShape(VectorOperators.F2S, SHORTS, 0)).intoArray(quants, to + k);
            }
            // lane order, as the batch of one pairs its 16-bit lanes: a 32-bit lane of two shorts
            // holds an even element (low half) and the odd one after it (high half)
            IntVector sum = IntVector.zero(EIGHT_INTS);
            for (int half = to; half < to + BLOCK; half += 16) {
                IntVector two = ShortVector.fromArray(SIXTEEN_SHORTS, quants, half).reinterpretAsInts();
                IntVector even = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16);
                IntVector odd = two.lanewise(VectorOperators.ASHR, 16);
                ((FloatVector) even.convert(VectorOperators.I2F, 0)).intoArray(quantsAsFloats, half);
                ((FloatVector) odd.convert(VectorOperators.I2F, 0)).intoArray(quantsAsFloats, half + 8);
                sum = sum.add(even).add(odd);
            }
            sum.lanewise(VectorOperators.LSHL, 3).intoArray(nibbleOffsets, block * 8);
            return;
        }
        Arrays.fill(nibbleOffsets, block * 8, block * 8 + 8, 0);
        for (; k < BLOCK; k++) {
            float rounded = (x[from + k] * inverse + ROUNDER) - ROUNDER;
            quants[to + k] = (short) rounded;
            quantsAsFloats[to + laneOrder(k)] = rounded;
            nibbleOffsets[block * 8 + (k % 16) / 2] += 8 * (short) rounded;
        }
    }

    /** Where element {@code k} of a block sits in lane order (see the class comment). */
    static int laneOrder(int k) {
        int i = k % 16;
        return k - i + (i % 2) * 8 + i / 2;
    }

    /** The quants, entry {@code b}'s at {@code b} times the row length. */
    short[] quants() {
        return quants;
    }

    /**
     * The same quants as floats (small integers, exact), for the kernels that multiply in float, in
     * lane order within each block.
     */
    float[] quantsAsFloats() {
        return quantsAsFloats;
    }

    /**
     * On 512-bit machines, for batches of at least 4: the quants (as floats) of tokens {@code 2P}
     * and {@code 2P+1} interleaved by chunks of 8 columns, pair {@code P} at {@code 2P} times the row length.
     */
    float[] pairs() {
        return pairs;
    }

    /** With {@link #pairs()}: per pair and block, 16 floats: 8 x token 2P's scale, 8 x token 2P+1's. */
    float[] pairScales() {
        return pairScales;
    }

    /**
     * Per block, 8 ints: lane {@code j} holds {@code 8 x (q[2j] + q[2j+1] + q[2j+16] + q[2j+17])}, what
     * a Q4_0 product over unsigned nibbles {@code 0..15} must subtract to equal one over {@code
     * nibble - 8}, lane by lane. Filled where 256-bit vectors exist.
     */
    int[] nibbleOffsets() {
        return nibbleOffsets;
    }

    /** Token {@code t}'s quants from index 0: a token {@link Int8Kernel} takes one by one in a batch of 2 or more. */
    short[] tokenQuants(int t) {
        return tokenQuants[t];
    }

    /** As {@link #tokenQuants}, for {@link #nibbleOffsets()}. */
    int[] tokenNibbleOffsets(int t) {
        return tokenNibbleOffsets[t];
    }

    /** As {@link #tokenQuants}, for {@link #scales()}. */
    float[] tokenScales(int t) {
        return tokenScales[t];
    }

    /** A buffer for {@link #laneOrderBytes()} of at least {@code n} bytes (grown, never shrunk). */
    byte[] laneOrderBytes(int n) {
        if (laneOrderBytes.length < n) {
            laneOrderBytes = new byte[n];
        }
        return laneOrderBytes;
    }

    /** The native repacked kernels' copy of the quants, filled by {@code NativeInt8Kernel.prepare}. */
    byte[] laneOrderBytes() {
        return laneOrderBytes;
    }

    /** One scale per block of 32, entry {@code b}'s at {@code b} times the row length / 32. */
    float[] scales() {
        return scales;
    }
}
