package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 and Q4_0 weights times {@link Int8Activations}: integer dot products per block of 32, as
 * llama.cpp computes them, scaled once per block.
 *
 * <p>A batch of one reads the weights straight from the mapped file: per block, 16 weights and 16
 * activations are widened to 16-bit lanes and multiplied, the two halves of the block added (a
 * 16-bit lane then holds two products, at most 2 x 128 x 127, which fits), and neighbouring 16-bit
 * lanes added as one 32-bit lane by two shifts and an add (no cross-lane shuffle), converted to
 * float and multiplied into the accumulator by {@code weight scale x activation scale}. So 32-bit
 * lane {@code j} holds elements {@code 2j, 2j+1, 2j+16, 2j+17}. Q4_0 nibbles are multiplied as
 * unsigned {@code 0..15} and {@link Int8Activations#nibbleOffsets()} subtracted per lane, which
 * gives the very integers of {@code (nibble - 8) x q} with three fewer operations per block.
 * A larger batch decodes rows to floats once, in the same lane order
 * ({@link Int8Activations#quantsAsFloats()}), and multiplies them by several tokens at a time in
 * float register tiles: the quants are small integers and a lane's four products sum to at most
 * 4 x 128 x 127, far below 2^24, so float arithmetic is exact there too and gives the very integers
 * of the first path in the same lanes. The only rounding is the scale product, one FMA per block
 * and the final lane sum, in one order for every path: an entry gets the same bits in any batch,
 * which the engine's batch invariance rests on.
 *
 * <p>Why not the float kernels on {@code quant x scale} weights and {@code q x d} activations (one
 * FMA chain, no per-block scaling): a batch of one then converts activations and weights to floats
 * and reads 4-byte activations; its decode measured 15-25% slower on a 1B model, though its tiles ran
 * ~1.3x faster than these. Decode speed is what a user waits on per token, so the integer path sets the order.
 *
 * <p>The lanes are laid out for 256-bit vectors (16 shorts, 8 ints, 8 floats) whatever the
 * preferred width, so results are the same bits on AVX2 and AVX-512 machines. On AVX-512 the
 * batched path is {@link PairedTokenTile}, which puts two tokens' 8 lanes in one 512-bit register.
 * Which one runs is the backend's vector width ({@link CpuBackend}), a parameter so that one machine
 * can run (and a test compare) both. Where vectors are narrower than {@link #MIN_VECTOR_BITS} the
 * caller uses the float kernels.
 *
 * <p>Not thread-safe: one instance per worker thread (it owns the decoded-row buffers).
 */
final class Int8Kernel {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int BLOCK = Int8Activations.BLOCK;
    /** Bytes of (float) activations kept hot in L2 while the rows of a range pass over them. */
    private static final int TOKEN_BLOCK_BYTES = 1024 * 1024;

    /** The vector width these kernels are written for (AVX2 and up); below it the caller uses the float kernels. */
    static final int MIN_VECTOR_BITS = 256;

    /**
     * Smallest batch for the float tiles: they decode every weight row to floats per call, which a
     * few tokens cannot pay back. Below it each weight block is widened once for a group of
     * {@link #TOKEN_GROUP} tokens (the rest one by one), with each token's batch-of-one arithmetic.
     * {@code bench-batch}, 110M Q8_0, 2 threads, aggregate decode tok/s, tiles -> groups: 2 sequences
     * 90-104 -> 190-223, 4: 154-183 -> 271-284, 8: 218-250 -> 278-299; at 16 the two are level
     * (README, Engine).
     */
    static final int TILED_MIN_BATCH = 16;
    private static final int TOKEN_GROUP = 4;
    /** Rows taken through all groups of a batch before the next rows: 4 rows of 8192 Q8_0 weights are 35 KB. */
    private static final int GROUP_ROWS = 4;

    /** In a batch below {@link #TILED_MIN_BATCH}: the first token not in a group of {@link #TOKEN_GROUP}. */
    static int firstUngroupedToken(int batch) {
        return batch / TOKEN_GROUP * TOKEN_GROUP;
    }

    /** Rows decoded together by the batched path, and tokens per register tile. */
    private static final int ROW_TILE = 2;
    private static final int TOKEN_TILE = 4;

    /** {@link #ROW_TILE} decoded rows (quants as floats) and their block scales. */
    private float[] tile = new float[0];
    private float[] tileScales = new float[0];
    /** Whether batches of {@link #TILED_MIN_BATCH} and more go through {@link PairedTokenTile} (512-bit layout). */
    private final boolean pairedTiles;
    /** The batched path on 512-bit machines, made on first use. */
    private PairedTokenTile paired;
    /** The 8 accumulators of a register tile (or the 4 of a token group), spilled for the lane sums. */
    private final float[] lanes = new float[8 * 8];

    /**
     * A kernel whose large batches use {@link PairedTokenTile} when {@code pairedTiles} (the
     * backend's vector width is at least {@link PairedTokenTile#MIN_VECTOR_BITS}), else the 2 x 4
     * tiles of {@link #tiledRows}: both give the same bits, so the choice is speed only.
     */
    Int8Kernel(boolean pairedTiles) {
        this.pairedTiles = pairedTiles;
    }

    /** Whether weights of {@code type} are multiplied by this kernel (where vectors are wide enough, see {@link #MIN_VECTOR_BITS}). */
    static boolean multiplies(GgmlType type) {
        return type == GgmlType.Q8_0 || type == GgmlType.Q4_0;
    }

    /**
     * {@code out[outOff + b * rows + r] = W[r] . x[b]} for {@code r} in {@code [rowStart, rowEnd)}
     * and {@code b < batch}, with {@code x} already quantized.
     */
    void rows(WeightMatrix w, Int8Activations x, int batch, float[] out, int outOff, int rowStart, int rowEnd) {
        // a dispatcher only: each path is its own compilation unit. Inlined into one large method,
        // the batch-of-one loop sometimes compiled ~2.5x slower (1 process in 4-8)
        boolean q8 = w.type() == GgmlType.Q8_0;
        if (batch == 1) {
            if (q8) {
                q8Rows(w.data(), w.rowBytes(), w.cols(), x.quants(), x.scales(), lanes, out, outOff, rowStart, rowEnd);
            } else {
                q4Rows(w.data(), w.rowBytes(), w.cols(), x.quants(), x.nibbleOffsets(), x.scales(), lanes, out, outOff,
                        rowStart, rowEnd);
            }
        } else if (batch < TILED_MIN_BATCH) {
            tokenGroups(w, q8, x, batch, out, outOff, rowStart, rowEnd);
        } else if (PairedTokenTile.takes(pairedTiles, batch)) {
            if (paired == null) {
                paired = new PairedTokenTile();
            }
            paired.rows(w.data(), w.rowBytes(), q8, w.rows(), w.cols(), x, batch, out, outOff, rowStart, rowEnd);
        } else {
            tiledRows(w, q8, x, batch, out, outOff, rowStart, rowEnd);
        }
    }

    /**
     * A batch below {@link #TILED_MIN_BATCH}: groups of {@link #TOKEN_GROUP} tokens share each
     * widened weight block, the remaining ones go one by one. Every token gets exactly the
     * operations, lanes and order of the batch of one, so the same bits.
     */
    private void tokenGroups(WeightMatrix w, boolean q8, Int8Activations x, int batch, float[] out, int outOff,
            int rowStart, int rowEnd) {
        MemorySegment m = w.data();
        long rowBytes = w.rowBytes();
        int rows = w.rows();
        int cols = w.cols();
        int grouped = firstUngroupedToken(batch);
        // a few rows at a time through every group and token: those rows' weights are read from
        // memory once and then from cache, as the tiles read them, not once per group
        for (int r0 = rowStart; r0 < rowEnd; r0 += GROUP_ROWS) {
            int r1 = Math.min(rowEnd, r0 + GROUP_ROWS);
            int t = 0;
            for (; t < grouped; t += TOKEN_GROUP) {
                if (q8) {
                    q8Rows4(m, rowBytes, cols, x.quants(), x.scales(), t, lanes, out, outOff, rows, r0, r1);
                } else {
                    q4Rows4(m, rowBytes, cols, x.quants(), x.nibbleOffsets(), x.scales(), t, lanes, out, outOff, rows, r0, r1);
                }
            }
            // the rest through the batch-of-one kernels, on the token's own copy of its inputs: those
            // kernels stay exactly the decode loop (one token at index 0), which is JIT-sensitive
            for (; t < batch; t++) {
                if (q8) {
                    q8Rows(m, rowBytes, cols, x.tokenQuants(t), x.tokenScales(t), lanes, out, outOff + t * rows, r0, r1);
                } else {
                    q4Rows(m, rowBytes, cols, x.tokenQuants(t), x.tokenNibbleOffsets(t), x.tokenScales(t), lanes, out,
                            outOff + t * rows, r0, r1);
                }
            }
        }
    }

    /** A batch of {@link #TILED_MIN_BATCH} or more where {@link PairedTokenTile} does not apply: 2 x 4 float register tiles. */
    private void tiledRows(WeightMatrix w, boolean q8, Int8Activations x, int batch, float[] out, int outOff,
            int rowStart, int rowEnd) {
        int rows = w.rows();
        int cols = w.cols();
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        float[] xs = x.scales();
        int blocks = cols / BLOCK;
        ensureTile(cols);
        float[] xf = x.quantsAsFloats();
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
                        tile2x4(cols, blocks, xf, xs, b, out, outOff + b * rows + r, rows);
                    }
                }
                for (; b < b1; b++) {
                    for (int i = 0; i < nr; i++) {
                        out[outOff + b * rows + r + i] = tile1x1(i, cols, blocks, xf, xs, b);
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
     * Decodes a row's quants to floats (exact) in lane order (see {@link Int8Activations}), 8-column
     * chunk {@code c} at {@code dst[dstOff + c * chunkStride]} (a stride of 16 stores each chunk
     * twice), and its block scales at {@code scales[scaleOff..]}.
     */
    static void decodeRow(MemorySegment m, long at, boolean q8, int blocks, float[] dst, int dstOff, int chunkStride,
            float[] scales, int scaleOff) {
        if (q8) {
            decodeQ8Row(m, at, blocks, dst, dstOff, chunkStride, scales, scaleOff);
        } else {
            decodeQ4Row(m, at, blocks, dst, dstOff, chunkStride, scales, scaleOff);
        }
    }

    // No helper methods that take or return vectors in the kernels below: where C2 does not inline
    // one (a cold call site, or a callee already compiled large) the vector is boxed and the
    // operations inside run unintrinsified, tens of times slower.

    private static void decodeQ8Row(MemorySegment m, long at, int blocks, float[] dst, int dstOff, int chunkStride,
            float[] scales, int scaleOff) {
        boolean twice = chunkStride == 16;
        for (int block = 0, o = dstOff; block < blocks; block++, o += 4 * chunkStride, at += 34) {
            scales[scaleOff + block] = scale(m, at);
            for (int half = 0, c = o; half < 2; half++, c += 2 * chunkStride) {
                // a 32-bit lane holds elements 2j (low 16 bits) and 2j+1 (high 16 bits), sign-extended
                IntVector two = ((ShortVector) ByteVector.fromMemorySegment(B, m, at + 2 + 16 * half, LE)
                        .convertShape(VectorOperators.B2S, S, 0)).reinterpretAsInts();
                FloatVector even = (FloatVector) two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .convert(VectorOperators.I2F, 0);
                FloatVector odd = (FloatVector) two.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
                even.intoArray(dst, c);
                odd.intoArray(dst, c + chunkStride);
                if (twice) {
                    even.intoArray(dst, c + 8);
                    odd.intoArray(dst, c + chunkStride + 8);
                }
            }
        }
    }

    private static void decodeQ4Row(MemorySegment m, long at, int blocks, float[] dst, int dstOff, int chunkStride,
            float[] scales, int scaleOff) {
        boolean twice = chunkStride == 16;
        for (int block = 0, o = dstOff; block < blocks; block++, o += 4 * chunkStride, at += 18) {
            scales[scaleOff + block] = scale(m, at);
            // a 32-bit lane holds bytes 2j (bits 0..7) and 2j+1 (bits 16..23); low nibbles are elements 0..15
            IntVector two = ((ShortVector) ByteVector.fromMemorySegment(B, m, at + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).reinterpretAsInts();
            for (int chunk = 0; chunk < 4; chunk++) {
                int shift = (chunk & 1) * 16 + (chunk >> 1) * 4;
                FloatVector v = (FloatVector) two.lanewise(VectorOperators.LSHR, shift).and(0x0F).sub(8)
                        .convert(VectorOperators.I2F, 0);
                v.intoArray(dst, o + chunk * chunkStride);
                if (twice) {
                    v.intoArray(dst, o + chunk * chunkStride + 8);
                }
            }
        }
    }

    /**
     * Tile rows 0 and 1 times tokens {@code t .. t+3}: per block, each of the 8 pairs sums its 32
     * products in float (exact: small integers) in 8 lanes, the same lanes the integer path forms,
     * then adds them into its accumulator times the product of the two scales.
     */
    private void tile2x4(int cols, int blocks, float[] xf, float[] xs, int t, float[] out, int o, int rows) {
        float[] w = tile;
        float[] ws = tileScales;
        int x0 = t * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        int s0 = t * blocks;
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
            float da = ws[block];
            float db = ws[blocks + block];
            float e0 = xs[s0 + block];
            float e1 = xs[s0 + blocks + block];
            float e2 = xs[s0 + 2 * blocks + block];
            float e3 = xs[s0 + 3 * blocks + block];
            a00 = p00.fma(FloatVector.broadcast(F, da * e0), a00);
            a01 = p01.fma(FloatVector.broadcast(F, da * e1), a01);
            a02 = p02.fma(FloatVector.broadcast(F, da * e2), a02);
            a03 = p03.fma(FloatVector.broadcast(F, da * e3), a03);
            a10 = p10.fma(FloatVector.broadcast(F, db * e0), a10);
            a11 = p11.fma(FloatVector.broadcast(F, db * e1), a11);
            a12 = p12.fma(FloatVector.broadcast(F, db * e2), a12);
            a13 = p13.fma(FloatVector.broadcast(F, db * e3), a13);
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
    private float tile1x1(int i, int cols, int blocks, float[] xf, float[] xs, int t) {
        return blockDot(tile, i * cols, 8, tileScales, i * blocks, xf, xs, t, cols, blocks, lanes);
    }

    /**
     * A decoded row ({@link #decodeRow(MemorySegment, long, boolean, int, float[], int, int, float[], int)}
     * layout, block scales at {@code scales[scaleOff..]}) dotted with token {@code t}'s quants, in
     * the lanes and order of every path of this kernel ({@code lanes}: 8 floats of scratch for the lane sum).
     */
    static float blockDot(float[] w, int wOff, int chunkStride, float[] scales, int scaleOff, float[] xf, float[] xs,
            int t, int cols, int blocks, float[] lanes) {
        FloatVector acc = FloatVector.zero(F);
        int xOff = t * cols;
        int xsOff = t * blocks;
        for (int block = 0, c = wOff; block < blocks; block++, c += 4 * chunkStride) {
            int k = xOff + block * BLOCK;
            FloatVector p = FloatVector.fromArray(F, w, c).mul(FloatVector.fromArray(F, xf, k));
            p = FloatVector.fromArray(F, w, c + chunkStride).fma(FloatVector.fromArray(F, xf, k + 8), p);
            p = FloatVector.fromArray(F, w, c + 2 * chunkStride).fma(FloatVector.fromArray(F, xf, k + 16), p);
            p = FloatVector.fromArray(F, w, c + 3 * chunkStride).fma(FloatVector.fromArray(F, xf, k + 24), p);
            acc = p.fma(FloatVector.broadcast(F, scales[scaleOff + block] * xs[xsOff + block]), acc);
        }
        acc.intoArray(lanes, 0);
        return VectorMath.sumLanes(lanes, 0, 8);
    }

    /** Q8_0 rows (blocks of f16 scale + 32 signed bytes) dotted with one quantized input. */
    private static void q8Rows(MemorySegment m, long rowBytes, int cols, short[] xq, float[] xs, float[] lanes,
            float[] out, int outOff, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r++) {
            FloatVector acc = FloatVector.zero(F);
            long at = rowBytes * r;
            for (int block = 0, k = 0; k < cols; block++, k += BLOCK, at += 34) {
                ShortVector w0 = (ShortVector) ByteVector.fromMemorySegment(B, m, at + 2, LE).convertShape(VectorOperators.B2S, S, 0);
                ShortVector w1 = (ShortVector) ByteVector.fromMemorySegment(B, m, at + 18, LE).convertShape(VectorOperators.B2S, S, 0);
                IntVector two = w0.mul(ShortVector.fromArray(S, xq, k)).add(w1.mul(ShortVector.fromArray(S, xq, k + 16)))
                        .reinterpretAsInts();
                // the two 16-bit halves of each lane, sign-extended and added (their sum may exceed 16 bits)
                IntVector sums = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale(m, at) * xs[block]), acc);
            }
            acc.intoArray(lanes, 0);
            out[outOff + r] = VectorMath.sumLanes(lanes, 0, 8);
        }
    }

    /**
     * Q4_0 rows (blocks of f16 scale + 16 bytes of nibbles, low = elements 0..15) dotted with one
     * input: the nibbles multiplied unsigned, {@code offsets} (8 per block) subtracted.
     */
    private static void q4Rows(MemorySegment m, long rowBytes, int cols, short[] xq, int[] offsets, float[] xs,
            float[] lanes, float[] out, int outOff, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r++) {
            FloatVector acc = FloatVector.zero(F);
            long at = rowBytes * r;
            for (int block = 0, k = 0; k < cols; block++, k += BLOCK, at += 18) {
                // widen first: x86 has no byte shift, and 16-bit lanes take the nibble arithmetic natively
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B, m, at + 2, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                IntVector two = q.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, k))
                        .add(q.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, xq, k + 16))).reinterpretAsInts();
                // unsigned nibbles: each half is at most 2 x 15 x 127, so their sum fits the upper 16 bits
                IntVector sums = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                        .sub(IntVector.fromArray(I, offsets, 8 * block));
                acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale(m, at) * xs[block]), acc);
            }
            acc.intoArray(lanes, 0);
            out[outOff + r] = VectorMath.sumLanes(lanes, 0, 8);
        }
    }

    /**
     * Q8_0 rows times inputs {@code t .. t+3}: each weight block widened once, then per input the
     * very operations of {@link #q8Rows} (written out: a helper would take vectors, see above).
     */
    private static void q8Rows4(MemorySegment m, long rowBytes, int cols, short[] xq, float[] xs, int t, float[] lanes,
            float[] out, int outOff, int rows, int rowStart, int rowEnd) {
        int blocks = cols / BLOCK;
        int x0 = t * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        for (int r = rowStart; r < rowEnd; r++) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            long at = rowBytes * r;
            for (int block = t * blocks, k = 0; k < cols; block++, k += BLOCK, at += 34) {
                ShortVector w0 = (ShortVector) ByteVector.fromMemorySegment(B, m, at + 2, LE).convertShape(VectorOperators.B2S, S, 0);
                ShortVector w1 = (ShortVector) ByteVector.fromMemorySegment(B, m, at + 18, LE).convertShape(VectorOperators.B2S, S, 0);
                float d = scale(m, at);
                IntVector p = w0.mul(ShortVector.fromArray(S, xq, x0 + k)).add(w1.mul(ShortVector.fromArray(S, xq, x0 + k + 16)))
                        .reinterpretAsInts();
                a0 = ((FloatVector) p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(p.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, d * xs[block]), a0);
                p = w0.mul(ShortVector.fromArray(S, xq, x1 + k)).add(w1.mul(ShortVector.fromArray(S, xq, x1 + k + 16)))
                        .reinterpretAsInts();
                a1 = ((FloatVector) p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(p.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, d * xs[block + blocks]), a1);
                p = w0.mul(ShortVector.fromArray(S, xq, x2 + k)).add(w1.mul(ShortVector.fromArray(S, xq, x2 + k + 16)))
                        .reinterpretAsInts();
                a2 = ((FloatVector) p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(p.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, d * xs[block + 2 * blocks]), a2);
                p = w0.mul(ShortVector.fromArray(S, xq, x3 + k)).add(w1.mul(ShortVector.fromArray(S, xq, x3 + k + 16)))
                        .reinterpretAsInts();
                a3 = ((FloatVector) p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(p.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, d * xs[block + 3 * blocks]), a3);
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
            a2.intoArray(lanes, 16);
            a3.intoArray(lanes, 24);
            storeGroup(lanes, out, outOff + t * rows + r, rows);
        }
    }

    /** Q4_0 rows times inputs {@code t .. t+3}, as {@link #q8Rows4} does for Q8_0. */
    private static void q4Rows4(MemorySegment m, long rowBytes, int cols, short[] xq, int[] offsets, float[] xs, int t,
            float[] lanes, float[] out, int outOff, int rows, int rowStart, int rowEnd) {
        int blocks = cols / BLOCK;
        int x0 = t * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        int o = 8 * blocks;
        for (int r = rowStart; r < rowEnd; r++) {
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            long at = rowBytes * r;
            for (int block = t * blocks, k = 0; k < cols; block++, k += BLOCK, at += 18) {
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B, m, at + 2, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector lo = q.and((short) 0x0F);
                ShortVector hi = q.lanewise(VectorOperators.LSHR, 4);
                float d = scale(m, at);
                IntVector p = lo.mul(ShortVector.fromArray(S, xq, x0 + k)).add(hi.mul(ShortVector.fromArray(S, xq, x0 + k + 16)))
                        .reinterpretAsInts();
                a0 = ((FloatVector) p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                        .sub(IntVector.fromArray(I, offsets, 8 * block)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, d * xs[block]), a0);
                p = lo.mul(ShortVector.fromArray(S, xq, x1 + k)).add(hi.mul(ShortVector.fromArray(S, xq, x1 + k + 16)))
                        .reinterpretAsInts();
                a1 = ((FloatVector) p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                        .sub(IntVector.fromArray(I, offsets, 8 * block + o)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, d * xs[block + blocks]), a1);
                p = lo.mul(ShortVector.fromArray(S, xq, x2 + k)).add(hi.mul(ShortVector.fromArray(S, xq, x2 + k + 16)))
                        .reinterpretAsInts();
                a2 = ((FloatVector) p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                        .sub(IntVector.fromArray(I, offsets, 8 * block + 2 * o)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, d * xs[block + 2 * blocks]), a2);
                p = lo.mul(ShortVector.fromArray(S, xq, x3 + k)).add(hi.mul(ShortVector.fromArray(S, xq, x3 + k + 16)))
                        .reinterpretAsInts();
                a3 = ((FloatVector) p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                        .sub(IntVector.fromArray(I, offsets, 8 * block + 3 * o)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.broadcast(F, d * xs[block + 3 * blocks]), a3);
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
            a2.intoArray(lanes, 16);
            a3.intoArray(lanes, 24);
            storeGroup(lanes, out, outOff + t * rows + r, rows);
        }
    }

    /** The lane sums of a token group's 4 accumulators (stored in {@code lanes}) to their 4 outputs. */
    private static void storeGroup(float[] lanes, float[] out, int at, int rows) {
        for (int i = 0; i < TOKEN_GROUP; i++) {
            out[at + i * rows] = VectorMath.sumLanes(lanes, 8 * i, 8);
        }
    }

    private static float scale(MemorySegment m, long block) {
        return Float.float16ToFloat(m.get(ValueLayout.JAVA_SHORT_UNALIGNED, block));
    }
}
