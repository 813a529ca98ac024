package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 and Q4_0 weights times {@link Int8Activations}, block by block as llama.cpp multiplies
 * them: per block of 32, the quants times the activations' {@code q x d} values summed in 8
 * lanes ({@code p}), then added into the accumulator times the weight block's scale,
 * {@code acc = fma(p, scale, acc)}; at the end the lanes are added in lane order.
 *
 * <p>A batch of one reads the weights straight from the mapped file and converts 8 quants at a
 * time to floats in registers. A larger batch decodes {@link #ROW_TILE} rows' quants to floats
 * once (exact: small integers) and multiplies them by {@link #TOKEN_TILE} tokens at a time in
 * register tiles. Both paths perform the same float operations in the same order on the same
 * values, so an entry gets the same bits in any batch, which the engine's batch invariance rests on.
 *
 * <p>Why not decode the weights to {@code quant x scale} and use the plain float kernels: in a batch
 * of one that costs a multiply per 8 weights, where scaling the block's sum costs one per 32, and
 * decode was 20% slower for it. Why not integer sums as llama.cpp (exact, scaled once): the Vector
 * API has no 8-bit multiply-add (x86's vpmaddubsw/vpdpbusd), and the tiles would then need a scale
 * per (row, token) per block instead of per row, which cost a third of the tiles' speed.
 *
 * <p>The lanes are laid out for 256-bit vectors (8 floats) whatever the preferred width, so results
 * are the same bits on AVX2 and AVX-512 machines; 16 lanes cost more per block in a batch of one
 * (two conversions' chains). On AVX-512 the batched path is {@link PairedTokenTile}, which puts two
 * tokens' 8 lanes in one 512-bit register.
 * Where vectors are narrower than 256 bits {@link #SUPPORTED} is false and the caller uses the
 * float kernels on dequantized rows.
 *
 * <p>Not thread-safe: one instance per worker thread (it owns the decoded-row buffers).
 */
final class Int8Kernel {
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int BLOCK = Int8Activations.BLOCK;
    /** Bytes of (float) activations kept hot in L2 while the rows of a range pass over them. */
    private static final int TOKEN_BLOCK_BYTES = 1024 * 1024;

    /** True where 256-bit vectors are native (AVX2 and up), the layout these kernels are written for. */
    static final boolean SUPPORTED = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    /** Rows decoded together by the batched path, and tokens per register tile. */
    private static final int ROW_TILE = 2;
    private static final int TOKEN_TILE = 4;

    /** {@link #ROW_TILE} decoded rows (quants as floats) and their block scales. */
    private float[] tile = new float[0];
    private float[] tileScales = new float[0];
    /** The batched path on 512-bit machines, made on first use. */
    private PairedTokenTile paired;
    /** The 8 accumulators of a register tile, spilled for the lane sums. */
    private final float[] lanes = new float[8 * 8];

    /** Whether weights of {@code type} are multiplied by this kernel. */
    static boolean handles(GgmlType type) {
        return SUPPORTED && (type == GgmlType.Q8_0 || type == GgmlType.Q4_0);
    }

    /**
     * {@code out[outOff + b * rows + r] = W[r] . x[b]} for {@code r} in {@code [rowStart, rowEnd)}
     * and {@code b < batch}, with {@code x} already quantized.
     */
    void rows(WeightMatrix w, Int8Activations x, int batch, float[] out, int outOff, int rowStart, int rowEnd) {
        int rows = w.rows();
        int cols = w.cols();
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        boolean q8 = w.type() == GgmlType.Q8_0;
        float[] xf = x.values();
        if (batch == 1) {
            for (int r = rowStart; r < rowEnd; r++) {
                long at = rowBytes * r;
                out[outOff + r] = q8 ? q8Row(data, at, cols, xf) : q4Row(data, at, cols, xf);
            }
            return;
        }
        if (PairedTokenTile.SUPPORTED && batch >= PairedTokenTile.TOKEN_TILE) {
            if (paired == null) {
                paired = new PairedTokenTile();
            }
            paired.rows(data, rowBytes, q8, rows, cols, x, batch, out, outOff, rowStart, rowEnd);
            return;
        }
        int blocks = cols / BLOCK;
        ensureTile(cols);
        int tokenBlock = Math.max(TOKEN_TILE, TOKEN_BLOCK_BYTES / (Float.BYTES * cols) / TOKEN_TILE * TOKEN_TILE);
        for (int b0 = 0; b0 < batch; b0 += tokenBlock) {
            int b1 = Math.min(batch, b0 + tokenBlock);
            for (int r = rowStart; r < rowEnd; r += ROW_TILE) {
                int nr = Math.min(ROW_TILE, rowEnd - r);
                for (int i = 0; i < nr; i++) {
                    decodeRow(data, rowBytes * (r + i), q8, blocks, i);
                }
                int b = b0;
                if (nr == ROW_TILE) {
                    for (; b + TOKEN_TILE <= b1; b += TOKEN_TILE) {
                        tile2x4(cols, blocks, xf, b, out, outOff + b * rows + r, rows);
                    }
                }
                for (; b < b1; b++) {
                    for (int i = 0; i < nr; i++) {
                        out[outOff + b * rows + r + i] = tile1x1(i, cols, blocks, xf, b);
                    }
                }
            }
        }
    }

    private void ensureTile(int cols) {
        if (tile.length < ROW_TILE * cols) {
            tile = new float[ROW_TILE * cols];
            tileScales = new float[ROW_TILE * cols / BLOCK];
        }
    }

    /** Decodes row {@code at} into tile row {@code i}: the quants as floats (exact) and the block scales. */
    private void decodeRow(MemorySegment m, long at, boolean q8, int blocks, int i) {
        decodeRow(m, at, q8, blocks, tile, i * blocks * BLOCK, 8, tileScales, i * blocks);
    }

    /**
     * Decodes a row's quants to floats (exact), 8-column chunk {@code c} at {@code dst[dstOff + c *
     * chunkStride]} (a stride of 16 stores each chunk twice), and its block scales at {@code scales[scaleOff..]}.
     */
    static void decodeRow(MemorySegment m, long at, boolean q8, int blocks, float[] dst, int dstOff, int chunkStride,
            float[] scales, int scaleOff) {
        boolean twice = chunkStride == 16;
        for (int block = 0, o = dstOff; block < blocks; block++, o += 4 * chunkStride) {
            scales[scaleOff + block] = scale(m, at);
            if (q8) {
                for (int j = 0; j < 4; j++) {
                    store(quants(m, at + 2 + 8 * j), dst, o + j * chunkStride, twice);
                }
                at += 34;
            } else {
                ByteVector q0 = ByteVector.fromMemorySegment(B8, m, at + 2, LE);
                ByteVector q1 = ByteVector.fromMemorySegment(B8, m, at + 10, LE);
                store(nibbles(q0, 0), dst, o, twice);
                store(nibbles(q1, 0), dst, o + chunkStride, twice);
                store(nibbles(q0, 4), dst, o + 2 * chunkStride, twice);
                store(nibbles(q1, 4), dst, o + 3 * chunkStride, twice);
                at += 18;
            }
        }
    }

    private static void store(FloatVector v, float[] dst, int at, boolean twice) {
        v.intoArray(dst, at);
        if (twice) {
            v.intoArray(dst, at + 8);
        }
    }

    /**
     * Tile rows 0 and 1 times tokens {@code t .. t+3}: per block, each of the 8 pairs sums its 32
     * products in 8 lanes, then adds them into its accumulator times the row's block scale.
     */
    private void tile2x4(int cols, int blocks, float[] xf, int t, float[] out, int o, int rows) {
        float[] w = tile;
        float[] ws = tileScales;
        int x0 = t * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        for (int block = 0; block < blocks; block++) {
            int k = block * BLOCK;
            FloatVector wa = FloatVector.fromArray(F, w, k);
            FloatVector wb = FloatVector.fromArray(F, w, cols + k);
            FloatVector x = FloatVector.fromArray(F, xf, x0 + k);
            FloatVector p00 = wa.mul(x);
            FloatVector p10 = wb.mul(x);
            x = FloatVector.fromArray(F, xf, x1 + k);
            FloatVector p01 = wa.mul(x);
            FloatVector p11 = wb.mul(x);
            x = FloatVector.fromArray(F, xf, x2 + k);
            FloatVector p02 = wa.mul(x);
            FloatVector p12 = wb.mul(x);
            x = FloatVector.fromArray(F, xf, x3 + k);
            FloatVector p03 = wa.mul(x);
            FloatVector p13 = wb.mul(x);
            for (int j = 8; j < BLOCK; j += 8) {
                wa = FloatVector.fromArray(F, w, k + j);
                wb = FloatVector.fromArray(F, w, cols + k + j);
                x = FloatVector.fromArray(F, xf, x0 + k + j);
                p00 = wa.fma(x, p00);
                p10 = wb.fma(x, p10);
                x = FloatVector.fromArray(F, xf, x1 + k + j);
                p01 = wa.fma(x, p01);
                p11 = wb.fma(x, p11);
                x = FloatVector.fromArray(F, xf, x2 + k + j);
                p02 = wa.fma(x, p02);
                p12 = wb.fma(x, p12);
                x = FloatVector.fromArray(F, xf, x3 + k + j);
                p03 = wa.fma(x, p03);
                p13 = wb.fma(x, p13);
            }
            FloatVector da = FloatVector.broadcast(F, ws[block]);
            FloatVector db = FloatVector.broadcast(F, ws[blocks + block]);
            a00 = p00.fma(da, a00);
            a01 = p01.fma(da, a01);
            a02 = p02.fma(da, a02);
            a03 = p03.fma(da, a03);
            a10 = p10.fma(db, a10);
            a11 = p11.fma(db, a11);
            a12 = p12.fma(db, a12);
            a13 = p13.fma(db, a13);
        }
        // through an array: passing 8 vectors to a call C2 does not inline boxes them
        float[] l = lanes;
        a00.intoArray(l, 0);
        a01.intoArray(l, 8);
        a02.intoArray(l, 16);
        a03.intoArray(l, 24);
        a10.intoArray(l, 32);
        a11.intoArray(l, 40);
        a12.intoArray(l, 48);
        a13.intoArray(l, 56);
        out[o] = VectorMath.sumLanes(l, 0, 8);
        out[o + rows] = VectorMath.sumLanes(l, 8, 8);
        out[o + 2 * rows] = VectorMath.sumLanes(l, 16, 8);
        out[o + 3 * rows] = VectorMath.sumLanes(l, 24, 8);
        out[o + 1] = VectorMath.sumLanes(l, 32, 8);
        out[o + 1 + rows] = VectorMath.sumLanes(l, 40, 8);
        out[o + 1 + 2 * rows] = VectorMath.sumLanes(l, 48, 8);
        out[o + 1 + 3 * rows] = VectorMath.sumLanes(l, 56, 8);
    }

    /** Tile row {@code i} times token {@code t}, in the same lanes and order as {@link #tile2x4}. */
    private float tile1x1(int i, int cols, int blocks, float[] xf, int t) {
        return blockDot(tile, i * cols, 8, tileScales, i * blocks, xf, t * cols, blocks);
    }

    /**
     * A decoded row ({@link #decodeRow(MemorySegment, long, boolean, int, float[], int, int, float[], int)}
     * layout) dotted with one token's values, in the lanes and order of every path of this kernel.
     */
    static float blockDot(float[] w, int wOff, int chunkStride, float[] scales, int scaleOff, float[] x, int xOff,
            int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int block = 0, c = wOff; block < blocks; block++, c += 4 * chunkStride) {
            int k = xOff + block * BLOCK;
            FloatVector p = FloatVector.fromArray(F, w, c).mul(FloatVector.fromArray(F, x, k));
            p = FloatVector.fromArray(F, w, c + chunkStride).fma(FloatVector.fromArray(F, x, k + 8), p);
            p = FloatVector.fromArray(F, w, c + 2 * chunkStride).fma(FloatVector.fromArray(F, x, k + 16), p);
            p = FloatVector.fromArray(F, w, c + 3 * chunkStride).fma(FloatVector.fromArray(F, x, k + 24), p);
            acc = p.fma(FloatVector.broadcast(F, scales[scaleOff + block]), acc);
        }
        return VectorMath.sumLanes(acc);
    }

    /** One Q8_0 row (blocks of f16 scale + 32 signed bytes) dotted with one input, in the order of the tiles. */
    private static float q8Row(MemorySegment m, long at, int cols, float[] x) {
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < cols; k += BLOCK, at += 34) {
            FloatVector p = quants(m, at + 2).mul(FloatVector.fromArray(F, x, k));
            p = quants(m, at + 10).fma(FloatVector.fromArray(F, x, k + 8), p);
            p = quants(m, at + 18).fma(FloatVector.fromArray(F, x, k + 16), p);
            p = quants(m, at + 26).fma(FloatVector.fromArray(F, x, k + 24), p);
            acc = p.fma(FloatVector.broadcast(F, scale(m, at)), acc);
        }
        return VectorMath.sumLanes(acc);
    }

    /**
     * One Q4_0 row (blocks of f16 scale + 16 bytes of nibbles, low = elements 0..15, high = 16..31)
     * dotted with one input, in the order of the tiles.
     */
    private static float q4Row(MemorySegment m, long at, int cols, float[] x) {
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < cols; k += BLOCK, at += 18) {
            ByteVector q0 = ByteVector.fromMemorySegment(B8, m, at + 2, LE);
            ByteVector q1 = ByteVector.fromMemorySegment(B8, m, at + 10, LE);
            FloatVector p = nibbles(q0, 0).mul(FloatVector.fromArray(F, x, k));
            p = nibbles(q1, 0).fma(FloatVector.fromArray(F, x, k + 8), p);
            p = nibbles(q0, 4).fma(FloatVector.fromArray(F, x, k + 16), p);
            p = nibbles(q1, 4).fma(FloatVector.fromArray(F, x, k + 24), p);
            acc = p.fma(FloatVector.broadcast(F, scale(m, at)), acc);
        }
        return VectorMath.sumLanes(acc);
    }

    /** Eight Q8_0 quants from byte {@code at}, as floats. */
    private static FloatVector quants(MemorySegment m, long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B8, m, at, LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * Eight bytes' nibbles at {@code shift}, minus 8, as floats. Widened to int lanes first: x86 has
     * no byte shifts.
     */
    static FloatVector nibbles(ByteVector eightBytes, int shift) {
        IntVector q = (IntVector) eightBytes.convertShape(VectorOperators.B2I, I, 0);
        return (FloatVector) q.lanewise(VectorOperators.ASHR, shift).and(0x0F).sub(8).convertShape(VectorOperators.I2F, F, 0);
    }

    private static float scale(MemorySegment m, long block) {
        return Float.float16ToFloat(m.get(ValueLayout.JAVA_SHORT_UNALIGNED, block));
    }
}
