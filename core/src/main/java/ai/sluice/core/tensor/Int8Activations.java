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
 * width the int8 kernels multiply in, so that the hot loop loads them without widening.
 *
 * <p>For the Java kernels ({@code javaLayouts}) the same numbers are also laid out the ways
 * {@link Int8Kernel}'s batched paths read them: a token group's scales and Q4_0 offsets side by
 * side ({@link #groupScales()}), and for the float tiles the quants as floats with 16 tokens in
 * the lanes ({@link #panels()}). The native kernels read only the quants, scales and
 * {@link #nibbleOffsets()}, so a backend on them skips the rest.
 *
 * <p>Not thread-safe: one instance per calling thread, filled before a matrix product and then only
 * read by the workers.
 */
final class Int8Activations {
    static final int BLOCK = 32;
    /** Tokens per panel of {@link #panels()}: one 512-bit vector of floats, two 256-bit ones. */
    static final int PANEL = 16;
    /** Adding and subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer, ties to even. */
    private static final float ROUNDER = 12582912f;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** 8 floats and 8 shorts, where 256-bit vectors are native (the int8 kernels' layout); else null: scalar, same values. */
    private static final VectorSpecies<Float> EIGHT =
            F.vectorBitSize() >= Int8Kernel.MIN_VECTOR_BITS ? FloatVector.SPECIES_256 : null;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_128;
    private static final VectorSpecies<Short> SIXTEEN_SHORTS = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> EIGHT_INTS = IntVector.SPECIES_256;

    private short[] quants = new short[0];
    private float[] scales = new float[0];
    private int[] nibbleOffsets = new int[0];
    private int[] blockOffsets = new int[0];
    /** Per group of {@link Int8Kernel}'s token groups and block: 8 scales and 8 offsets, the group's 4 tokens twice. */
    private float[] groupScales = new float[0];
    private int[] groupOffsets = new int[0];
    /** Tokens after the last whole group of {@link Int8Kernel}'s token groups, each copied to index 0. */
    private short[][] tokenQuants = new short[0][];
    private int[][] tokenBlockOffsets = new int[0][];
    private float[][] tokenScales = new float[0][];
    private float[] panels = new float[0];
    private float[] panelScales = new float[0];
    /** The quants as int8 in the native repacked kernels' lane order (NativeInt8Kernel#prepare fills them). */
    private byte[] laneOrderBytes = new byte[0];
    /** Whether {@link Int8Kernel} reads these (then its layouts are filled), not the native kernels. */
    private final boolean javaLayouts;

    Int8Activations(boolean javaLayouts) {
        this.javaLayouts = javaLayouts;
    }

    /** Quantizes entries {@code b < batch} of {@code x} (each {@code cols} long, from {@code xOff}). */
    void quantize(float[] x, int xOff, int batch, int cols) {
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("row length " + cols + " is not a multiple of " + BLOCK);
        }
        int n = Math.multiplyExact(batch, cols);
        if (quants.length < n) {
            quants = new short[n];
            scales = new float[n / BLOCK];
            nibbleOffsets = new int[n / BLOCK * 8];
            blockOffsets = new int[n / BLOCK];
        }
        for (int block = 0; block < n / BLOCK; block++) {
            quantizeBlock(x, xOff + block * BLOCK, block);
        }
        if (!javaLayouts || batch == 1) {
            return;
        }
        int tiled = Int8Kernel.tiledTokens(batch);
        if (tiled > 0) {
            layOutPanels(tiled / PANEL, cols);
        }
        int ungrouped = Int8Kernel.firstUngroupedToken(batch);
        layOutGroups(tiled, ungrouped, cols);
        copyUngroupedTokens(ungrouped, batch, cols);
    }

    /**
     * Copies the tokens that {@link Int8Kernel} multiplies one by one (those after the last whole
     * group) to arrays of their own, so that its batch-of-one kernels read them at index 0.
     */
    private void copyUngroupedTokens(int from, int batch, int cols) {
        int blocks = cols / BLOCK;
        if (tokenQuants.length < batch) {
            tokenQuants = Arrays.copyOf(tokenQuants, batch);
            tokenBlockOffsets = Arrays.copyOf(tokenBlockOffsets, batch);
            tokenScales = Arrays.copyOf(tokenScales, batch);
        }
        for (int t = from; t < batch; t++) {
            if (tokenQuants[t] == null || tokenQuants[t].length < cols) {
                tokenQuants[t] = new short[cols];
                tokenBlockOffsets[t] = new int[blocks];
                tokenScales[t] = new float[blocks];
            }
            System.arraycopy(quants, t * cols, tokenQuants[t], 0, cols);
            System.arraycopy(blockOffsets, t * blocks, tokenBlockOffsets[t], 0, blocks);
            System.arraycopy(scales, t * blocks, tokenScales[t], 0, blocks);
        }
    }

    /**
     * Per token group {@code [t, t + 4)} in {@code [from, to)} and block: the 4 tokens' scales and
     * Q4_0 block offsets, each set twice (8 lanes: a group tile's 2 rows x 4 tokens), group {@code
     * t / 4}'s at {@code (t / 4 * blocks + block) * 8}.
     */
    private void layOutGroups(int from, int to, int cols) {
        int blocks = cols / BLOCK;
        int need = to / Int8Kernel.TOKEN_GROUP * blocks * 8;
        if (groupScales.length < need) {
            groupScales = new float[need];
            groupOffsets = new int[need];
        }
        for (int t = from; t < to; t += Int8Kernel.TOKEN_GROUP) {
            for (int block = 0; block < blocks; block++) {
                int at = (t / Int8Kernel.TOKEN_GROUP * blocks + block) * 8;
                for (int j = 0; j < Int8Kernel.TOKEN_GROUP; j++) {
                    float s = scales[(t + j) * blocks + block];
                    int o = blockOffsets[(t + j) * blocks + block];
                    groupScales[at + j] = s;
                    groupScales[at + 4 + j] = s;
                    groupOffsets[at + j] = o;
                    groupOffsets[at + 4 + j] = o;
                }
            }
        }
    }

    /**
     * The first {@code count} x 16 tokens as floats, 16 tokens to a panel with the tokens in the
     * lanes: panel {@code p}'s element {@code k} of token {@code 16p + i} at {@code (p * cols + k)
     * * 16 + i}; and their scales alike ({@code (p * blocks + block) * 16 + i}).
     */
    private void layOutPanels(int count, int cols) {
        int blocks = cols / BLOCK;
        if (panels.length < count * PANEL * cols) {
            panels = new float[count * PANEL * cols];
            panelScales = new float[count * PANEL * blocks];
        }
        for (int p = 0; p < count; p++) {
            for (int i = 0; i < PANEL; i++) {
                int from = (p * PANEL + i) * cols;
                int to = p * PANEL * cols + i;
                for (int k = 0; k < cols; k++) {
                    panels[to + k * PANEL] = quants[from + k];
                }
                int sFrom = (p * PANEL + i) * blocks;
                int sTo = p * PANEL * blocks + i;
                for (int block = 0; block < blocks; block++) {
                    panelScales[sTo + block * PANEL] = scales[sFrom + block];
                }
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
            // float arithmetic round alike)
            for (; k < BLOCK; k += 8) {
                FloatVector rounded = FloatVector.fromArray(EIGHT, x, from + k).mul(inverse).add(ROUNDER).sub(ROUNDER);
                ((ShortVector) rounded.convertShape(VectorOperators.F2S, SHORTS, 0)).intoArray(quants, to + k);
            }
            // the native kernels' offsets per 32-bit lane of two shorts: an even element (low half)
            // and the odd one after it (high half), from both halves of the block
            IntVector sum = IntVector.zero(EIGHT_INTS);
            for (int half = to; half < to + BLOCK; half += 16) {
                IntVector two = ShortVector.fromArray(SIXTEEN_SHORTS, quants, half).reinterpretAsInts();
                sum = sum.add(two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                        .add(two.lanewise(VectorOperators.ASHR, 16));
            }
            IntVector offsets = sum.lanewise(VectorOperators.LSHL, 3);
            offsets.intoArray(nibbleOffsets, block * 8);
            blockOffsets[block] = offsets.reduceLanes(VectorOperators.ADD); // exact: integers
            return;
        }
        Arrays.fill(nibbleOffsets, block * 8, block * 8 + 8, 0);
        blockOffsets[block] = 0;
        for (; k < BLOCK; k++) {
            float rounded = (x[from + k] * inverse + ROUNDER) - ROUNDER;
            quants[to + k] = (short) rounded;
            nibbleOffsets[block * 8 + (k % 16) / 2] += 8 * (short) rounded;
            blockOffsets[block] += 8 * (short) rounded;
        }
    }

    /** The quants, entry {@code b}'s at {@code b} times the row length. */
    short[] quants() {
        return quants;
    }

    /** For the Java kernels' float tiles, batches of at least {@link Int8Kernel#TILED_MIN_BATCH}: see {@link #layOutPanels}. */
    float[] panels() {
        return panels;
    }

    /** With {@link #panels()}: per panel and block, the 16 tokens' scales. */
    float[] panelScales() {
        return panelScales;
    }

    /** For the Java kernels' token groups: per group and block 8 scales, see {@link #layOutGroups}. */
    float[] groupScales() {
        return groupScales;
    }

    /** As {@link #groupScales()}, for {@link #blockOffsets()}. */
    int[] groupOffsets() {
        return groupOffsets;
    }

    /**
     * Per block, 8 ints for the native kernels: lane {@code j} holds {@code 8 x (q[2j] + q[2j+1] +
     * q[2j+16] + q[2j+17])}, what a Q4_0 product over unsigned nibbles {@code 0..15} must subtract
     * to equal one over {@code nibble - 8}, lane by lane. Filled where 256-bit vectors exist.
     */
    int[] nibbleOffsets() {
        return nibbleOffsets;
    }

    /**
     * Per block, {@code 8 x} the sum of its quants: what a Q4_0 block total over unsigned nibbles
     * {@code 0..15} must subtract to equal one over {@code nibble - 8}.
     */
    int[] blockOffsets() {
        return blockOffsets;
    }

    /** Token {@code t}'s quants from index 0: a token {@link Int8Kernel} takes one by one in a batch of 2 or more. */
    short[] tokenQuants(int t) {
        return tokenQuants[t];
    }

    /** As {@link #tokenQuants}, for {@link #blockOffsets()}. */
    int[] tokenBlockOffsets(int t) {
        return tokenBlockOffsets[t];
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
