package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 and Q4_0 weights times {@link Int8Activations}: integer dot products per block of 32, as
 * llama.cpp computes them, scaled once per block.
 *
 * <p><b>The order</b> (every path, every batch, the native kernels too): per output (row, token),
 * {@code acc = 0}; per block in order, {@code T} = the exact integer sum of the block's 32 products
 * (weight quant x activation quant; Q4_0's weight is {@code nibble - 8}), {@code s = (float)
 * (weight scale x activation scale)}, {@code acc = fma((float) T, s, acc)}; the output is {@code
 * acc}. That is the order of llama.cpp's repacked Q4_0 GEMM ({@code q4_0_8x8}), which its oracle
 * outputs were made with, and the cheapest one: one conversion and one FMA per block, where keeping
 * 8 float lanes per output costs 8 of each and a lane sum at the end. An integer sum is exact in
 * any order ({@code |T| <= 32 x 128 x 127 < 2^24}, exact in float too), so each path sums a block
 * however it is fastest and rounds only in the scale product and the FMA, which are the same
 * operations everywhere: an entry gets the same bits in any batch, which the engine's batch
 * invariance rests on.
 *
 * <p>A batch of one reads the weights straight from the mapped file, 8 rows at a time: per row and
 * block, 16 weights and 16 activations are widened to 16-bit lanes and multiplied, the two halves
 * of the block added (a 16-bit lane holds two products, at most 2 x 128 x 127, which fits), and
 * neighbouring 16-bit lanes added as one 32-bit lane by two shifts and an add (no shuffle), so 8
 * int lanes per row; then the 8 rows' lanes are added as a transpose (three rounds of two blends,
 * one permute and an add) so that int lane {@code i} holds row {@code i}'s block total, and one
 * conversion and one FMA with the 8 rows' scale products serve all 8 rows. Q4_0 nibbles are
 * multiplied as unsigned {@code 0..15} and {@link Int8Activations#blockOffsets()} subtracted from
 * the totals, which gives the very integers of {@code (nibble - 8) x q}. Batches of 2-15 do the
 * same with 2 rows x 4 tokens in the 8 lanes, each weight block widened once for the 4 tokens.
 * From {@link #TILED_MIN_BATCH} tokens, rows are decoded to floats once and multiplied with 16
 * tokens in the lanes ({@link Int8Activations#panels()}): per block, 32 FMAs of a broadcast weight
 * into each token lane sum the block's products exactly in float (small integers), then one FMA
 * with the scale products.
 *
 * <p>Why not the float kernels on {@code quant x scale} weights and {@code q x d} activations (one
 * FMA chain, no per-block scaling): a batch of one then converts activations and weights to floats
 * and reads 4-byte activations; its decode measured 15-25% slower on a 1B model. Decode speed is
 * what a user waits on per token, so the integer path sets the order.
 *
 * <p>The lanes are laid out for 256-bit vectors (16 shorts, 8 ints, 8 floats) whatever the
 * preferred width. On AVX-512 the batched path is {@link WideTokenTile}, 16 tokens per 512-bit
 * register. Which one runs is the backend's vector width ({@link CpuBackend}), a parameter so that
 * one machine can run (and a test compare) both. Where vectors are narrower than {@link
 * #MIN_VECTOR_BITS} the caller uses the float kernels.
 *
 * <p>Not thread-safe: one instance per worker thread (it owns the decoded-row buffers).
 */
final class Int8Kernel {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int BLOCK = Int8Activations.BLOCK;
    private static final int PANEL = Int8Activations.PANEL;
    /** Bytes of (float) activations kept hot in L2 while the rows of a range pass over them. */
    private static final int TOKEN_BLOCK_BYTES = 1024 * 1024;

    /** The vector width these kernels are written for (AVX2 and up); below it the caller uses the float kernels. */
    static final int MIN_VECTOR_BITS = 256;

    /**
     * Smallest batch for the float tiles: they decode every weight row to floats per call, which a
     * few tokens cannot pay back. Below it each weight block is widened once for a group of
     * {@link #TOKEN_GROUP} tokens (the rest one by one). {@code bench-batch}, 110M Q8_0, 2 threads,
     * aggregate decode tok/s, tiles -> groups: 2 sequences 90-104 -> 190-223, 4: 154-183 -> 271-284,
     * 8: 218-250 -> 278-299; at 16 the two are level (README, Engine; measured with the earlier
     * lane order, the trade-off is the same).
     */
    static final int TILED_MIN_BATCH = 16;
    static final int TOKEN_GROUP = 4;
    /** Rows taken through all groups of a batch before the next rows: 8 rows of 8192 Q8_0 weights are 70 KB. */
    private static final int GROUP_ROWS = 8;
    /** Rows per batch-of-one tile: one per int lane. */
    private static final int ONE_ROWS = 8;

    /*
     * The transpose that adds 8 vectors of 8 int lanes into one vector of their 8 totals: round 1
     * adds vectors in pairs (lanes 0-3 hold 4 partial sums of the first, 4-7 of the second), round 2
     * pairs of those (2 partial sums each), round 3 the last two. Vector v0..v7 ends in lane
     * 0, 4, 2, 6, 1, 5, 3, 7; so the round-1 pairs are the lanes (0, 4), (2, 6), (1, 5), (3, 7)
     * (rows r+0 and r+4, ..., in the batch of one; rows 0 and 1 of tokens 0, 2, 1, 3 in a group).
     * Written out in each kernel: a helper would take vectors (see below).
     */
    private static final VectorMask<Integer> HIGH_FOUR = VectorMask.fromLong(I, 0xF0);
    private static final VectorMask<Integer> HIGH_TWOS = VectorMask.fromLong(I, 0xCC);
    private static final VectorMask<Integer> ODD = VectorMask.fromLong(I, 0xAA);
    private static final VectorShuffle<Integer> SWAP_FOURS = VectorShuffle.fromValues(I, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorShuffle<Integer> SWAP_TWOS = VectorShuffle.fromValues(I, 2, 3, 0, 1, 6, 7, 4, 5);
    private static final VectorShuffle<Integer> SWAP_ONES = VectorShuffle.fromValues(I, 1, 0, 3, 2, 5, 4, 7, 6);
    private static final VectorMask<Float> HIGH_FOUR_F = VectorMask.fromLong(F, 0xF0);

    /** In a batch: the tokens the float tiles take, whole panels of 16 from {@link #TILED_MIN_BATCH} tokens on. */
    static int tiledTokens(int batch) {
        return batch >= TILED_MIN_BATCH ? batch / PANEL * PANEL : 0;
    }

    /** In a batch of 2 or more: the first token neither in a panel nor in a group of {@link #TOKEN_GROUP}. */
    static int firstUngroupedToken(int batch) {
        int tiled = tiledTokens(batch);
        return tiled + (batch - tiled) / TOKEN_GROUP * TOKEN_GROUP;
    }

    /** Rows decoded together by the 256-bit float tiles. */
    private static final int ROW_TILE = 4;

    /** {@link #ROW_TILE} decoded rows (quants as floats) and their block scales. */
    private float[] tile = new float[0];
    private float[] tileScales = new float[0];
    /** Whether batches of {@link #TILED_MIN_BATCH} and more go through {@link WideTokenTile} (512-bit layout). */
    private final boolean wideTiles;
    /** The batched path on 512-bit machines, made on first use. */
    private WideTokenTile wide;
    /** Scratch: a tile's accumulators. */
    private final float[] lanes = new float[4 * PANEL];
    /** A batch-of-one tile's 8 rows' scales, 8 per block. */
    private float[] oneScales = new float[0];

    private float[] rowScales(int cols) {
        if (oneScales.length < cols / BLOCK * ONE_ROWS) {
            oneScales = new float[cols / BLOCK * ONE_ROWS];
        }
        return oneScales;
    }

    /**
     * A kernel whose large batches use {@link WideTokenTile} when {@code wideTiles} (the backend's
     * vector width is at least {@link WideTokenTile#MIN_VECTOR_BITS}), else the 4 x 16 tiles of
     * {@link #tiledRows}: both give the same bits, so the choice is speed only.
     */
    Int8Kernel(boolean wideTiles) {
        this.wideTiles = wideTiles;
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
        if (LlamaVecDotOrder.applies(w)) {
            LlamaVecDotOrder.rows(w, x, batch, out, outOff, rowStart, rowEnd);
            return;
        }
        if (batch == 1) {
            if (q8) {
                q8Rows(w.data(), w.rowBytes(), w.cols(), x.quants(), x.scales(), lanes, rowScales(w.cols()), out, outOff, rowStart, rowEnd);
            } else {
                q4Rows(w.data(), w.rowBytes(), w.cols(), x.quants(), x.blockOffsets(), x.scales(), lanes, rowScales(w.cols()), out,
                        outOff, rowStart, rowEnd);
            }
            return;
        }
        int tiled = tiledTokens(batch);
        if (tiled > 0 && wideTiles) {
            if (wide == null) {
                wide = new WideTokenTile();
            }
            wide.rows(w.data(), w.rowBytes(), q8, w.rows(), w.cols(), x, tiled / PANEL, out, outOff, rowStart, rowEnd);
        } else if (tiled > 0) {
            tiledRows(w, q8, x, tiled / PANEL, out, outOff, rowStart, rowEnd);
        }
        if (tiled < batch) {
            tokenGroups(w, q8, x, tiled, batch, out, outOff, rowStart, rowEnd);
        }
    }

    /**
     * Tokens {@code [from, batch)}: groups of {@link #TOKEN_GROUP} tokens share each widened weight
     * block, the remaining ones go one by one through the batch-of-one kernels.
     */
    private void tokenGroups(WeightMatrix w, boolean q8, Int8Activations x, int from, int batch, float[] out,
            int outOff, int rowStart, int rowEnd) {
        MemorySegment m = w.data();
        long rowBytes = w.rowBytes();
        int rows = w.rows();
        int cols = w.cols();
        int grouped = firstUngroupedToken(batch);
        // a few rows at a time through every group and token: those rows' weights are read from
        // memory once and then from cache, not once per group
        for (int r0 = rowStart; r0 < rowEnd; r0 += GROUP_ROWS) {
            int r1 = Math.min(rowEnd, r0 + GROUP_ROWS);
            int t = from;
            for (; t < grouped; t += TOKEN_GROUP) {
                if (q8) {
                    q8Rows4(m, rowBytes, cols, x.quants(), x.groupScales(), t, lanes, out, outOff, rows, r0, r1);
                } else {
                    q4Rows4(m, rowBytes, cols, x.quants(), x.groupOffsets(), x.groupScales(), t, lanes, out,
                            outOff, rows, r0, r1);
                }
            }
            // the rest through the batch-of-one kernels, on the token's own copy of its inputs: those
            // kernels stay exactly the decode loop (one token at index 0), which is JIT-sensitive
            for (; t < batch; t++) {
                if (q8) {
                    q8Rows(m, rowBytes, cols, x.tokenQuants(t), x.tokenScales(t), lanes, rowScales(cols), out, outOff + t * rows,
                            r0, r1);
                } else {
                    q4Rows(m, rowBytes, cols, x.tokenQuants(t), x.tokenBlockOffsets(t), x.tokenScales(t), lanes,
                            rowScales(cols), out, outOff + t * rows, r0, r1);
                }
            }
        }
    }

    /**
     * The first {@code panels} x 16 tokens of a batch where {@link WideTokenTile} does not apply:
     * {@link #ROW_TILE} decoded rows times 16 tokens (two 8-lane vectors) per register tile.
     */
    private void tiledRows(WeightMatrix w, boolean q8, Int8Activations x, int panels, float[] out, int outOff,
            int rowStart, int rowEnd) {
        int rows = w.rows();
        int cols = w.cols();
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        int blocks = cols / BLOCK;
        if (tile.length < ROW_TILE * cols) {
            tile = new float[ROW_TILE * cols];
            tileScales = new float[ROW_TILE * blocks];
        }
        float[] xp = x.panels();
        float[] xps = x.panelScales();
        int panelBlock = Math.max(1, TOKEN_BLOCK_BYTES / (Float.BYTES * PANEL * cols));
        for (int p0 = 0; p0 < panels; p0 += panelBlock) {
            int p1 = Math.min(panels, p0 + panelBlock);
            for (int r = rowStart; r < rowEnd; r += ROW_TILE) {
                int nr = Math.min(ROW_TILE, rowEnd - r);
                for (int i = 0; i < ROW_TILE; i++) {
                    // a short last tile repeats its last row (computed, not stored)
                    decodeRow(data, rowBytes * (r + Math.min(i, nr - 1)), q8, blocks, tile, i * cols, tileScales, i * blocks);
                }
                for (int p = p0; p < p1; p++) {
                    tile4x16(cols, blocks, xp, xps, p);
                    storeTile(lanes, out, outOff + p * PANEL * rows + r, rows, nr);
                }
            }
        }
    }

    /** A tile's accumulators ({@code acc[i * 16 + j]}: row i, token j of the panel) to their outputs. */
    static void storeTile(float[] acc, float[] out, int at, int rows, int nr) {
        for (int j = 0; j < PANEL; j++) {
            for (int i = 0; i < nr; i++) {
                out[at + j * rows + i] = acc[i * PANEL + j];
            }
        }
    }

    /**
     * Decodes a row's quants to floats (exact; Q4_0's as {@code nibble - 8}), in element order, at
     * {@code dst[dstOff..]}, and its block scales at {@code scales[scaleOff..]}.
     */
    static void decodeRow(MemorySegment m, long at, boolean q8, int blocks, float[] dst, int dstOff, float[] scales,
            int scaleOff) {
        if (q8) {
            decodeQ8Row(m, at, blocks, dst, dstOff, scales, scaleOff);
        } else {
            decodeQ4Row(m, at, blocks, dst, dstOff, scales, scaleOff);
        }
    }

    // No helper methods that take or return vectors in the kernels below: where C2 does not inline
    // one (a cold call site, or a callee already compiled large) the vector is boxed and the
    // operations inside run unintrinsified, tens of times slower.

    private static void decodeQ8Row(MemorySegment m, long at, int blocks, float[] dst, int dstOff, float[] scales,
            int scaleOff) {
        for (int block = 0, o = dstOff; block < blocks; block++, o += BLOCK, at += 34) {
            scales[scaleOff + block] = scale(m, at);
            for (int j = 0; j < BLOCK; j += 8) {
                ((FloatVector) ByteVector.fromMemorySegment(B8, m, at + 2 + j, LE).convertShape(VectorOperators.B2F, F, 0))
                        .intoArray(dst, o + j);
            }
        }
    }

    private static void decodeQ4Row(MemorySegment m, long at, int blocks, float[] dst, int dstOff, float[] scales,
            int scaleOff) {
        for (int block = 0, o = dstOff; block < blocks; block++, o += BLOCK, at += 18) {
            scales[scaleOff + block] = scale(m, at);
            // low nibbles are elements 0..15, high ones 16..31
            for (int j = 0; j < 16; j += 8) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B8, m, at + 2 + j, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).intoArray(dst, o + j);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0))
                        .intoArray(dst, o + 16 + j);
            }
        }
    }

    /**
     * Tile rows 0..3 times the 16 tokens of panel {@code p}, into {@link #lanes}: per block, 32 FMAs
     * per (row, 8 tokens) sum the block's products exactly (small integers in float), then one FMA
     * adds them times the scale products into the accumulator.
     */
    private void tile4x16(int cols, int blocks, float[] xp, float[] xps, int p) {
        float[] w = tile;
        float[] ws = tileScales;
        int xo = p * cols * PANEL;
        int so = p * blocks * PANEL;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        for (int block = 0; block < blocks; block++) {
            FloatVector t00 = FloatVector.zero(F);
            FloatVector t01 = t00;
            FloatVector t10 = t00;
            FloatVector t11 = t00;
            FloatVector t20 = t00;
            FloatVector t21 = t00;
            FloatVector t30 = t00;
            FloatVector t31 = t00;
            for (int k = block * BLOCK, end = k + BLOCK; k < end; k++) {
                FloatVector x0 = FloatVector.fromArray(F, xp, xo + k * PANEL);
                FloatVector x1 = FloatVector.fromArray(F, xp, xo + k * PANEL + 8);
                FloatVector v = FloatVector.broadcast(F, w[k]);
                t00 = v.fma(x0, t00);
                t01 = v.fma(x1, t01);
                v = FloatVector.broadcast(F, w[cols + k]);
                t10 = v.fma(x0, t10);
                t11 = v.fma(x1, t11);
                v = FloatVector.broadcast(F, w[2 * cols + k]);
                t20 = v.fma(x0, t20);
                t21 = v.fma(x1, t21);
                v = FloatVector.broadcast(F, w[3 * cols + k]);
                t30 = v.fma(x0, t30);
                t31 = v.fma(x1, t31);
            }
            // per (row, token) scale = weight scale x activation scale, rounded as every path rounds it
            FloatVector e0 = FloatVector.fromArray(F, xps, so + block * PANEL);
            FloatVector e1 = FloatVector.fromArray(F, xps, so + block * PANEL + 8);
            float d = ws[block];
            a00 = t00.fma(e0.mul(d), a00);
            a01 = t01.fma(e1.mul(d), a01);
            d = ws[blocks + block];
            a10 = t10.fma(e0.mul(d), a10);
            a11 = t11.fma(e1.mul(d), a11);
            d = ws[2 * blocks + block];
            a20 = t20.fma(e0.mul(d), a20);
            a21 = t21.fma(e1.mul(d), a21);
            d = ws[3 * blocks + block];
            a30 = t30.fma(e0.mul(d), a30);
            a31 = t31.fma(e1.mul(d), a31);
        }
        // through an array: passing 8 vectors to a call C2 does not inline boxes them
        float[] l = lanes;
        a00.intoArray(l, 0);
        a01.intoArray(l, 8);
        a10.intoArray(l, 16);
        a11.intoArray(l, 24);
        a20.intoArray(l, 32);
        a21.intoArray(l, 40);
        a30.intoArray(l, 48);
        a31.intoArray(l, 56);
    }

    /**
     * Q8_0 rows (blocks of f16 scale + 32 signed bytes) dotted with one quantized input, 8 rows at a
     * time (see the class comment): each row's 8 int lanes per block, the transpose to the 8 rows'
     * block totals, one conversion and one FMA with the 8 rows' scale products (the rows' scales
     * gathered for the whole tile first: assembled per block, the vector load waited on 8 scalar stores).
     */
    private static void q8Rows(MemorySegment m, long rowBytes, int cols, short[] xq, float[] xs, float[] tot,
            float[] rowScales, float[] out, int outOff, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r += ONE_ROWS) {
            int n = Math.min(ONE_ROWS, rowEnd - r);
            // a short last tile repeats the range's last row (computed, not stored)
            long a0 = rowBytes * r + 2;
            long a1 = rowBytes * (r + Math.min(1, n - 1)) + 2;
            long a2 = rowBytes * (r + Math.min(2, n - 1)) + 2;
            long a3 = rowBytes * (r + Math.min(3, n - 1)) + 2;
            long a4 = rowBytes * (r + Math.min(4, n - 1)) + 2;
            long a5 = rowBytes * (r + Math.min(5, n - 1)) + 2;
            long a6 = rowBytes * (r + Math.min(6, n - 1)) + 2;
            long a7 = rowBytes * (r + Math.min(7, n - 1)) + 2;
            // the 8 rows' scales, block by block, 8 lanes each: read once per tile, ahead of the block loop
            for (int block = 0; block < cols / BLOCK; block++) {
                long off = 34L * block - 2;
                rowScales[8 * block] = scale(m, a0 + off);
                rowScales[8 * block + 1] = scale(m, a1 + off);
                rowScales[8 * block + 2] = scale(m, a2 + off);
                rowScales[8 * block + 3] = scale(m, a3 + off);
                rowScales[8 * block + 4] = scale(m, a4 + off);
                rowScales[8 * block + 5] = scale(m, a5 + off);
                rowScales[8 * block + 6] = scale(m, a6 + off);
                rowScales[8 * block + 7] = scale(m, a7 + off);
            }
            FloatVector acc = FloatVector.zero(F);
            for (int block = 0, k = 0; k < cols; block++, k += BLOCK) {
                long off = 34L * block;
                ShortVector x0 = ShortVector.fromArray(S, xq, k);
                ShortVector x1 = ShortVector.fromArray(S, xq, k + 16);
                IntVector two;
                two = ((ShortVector) ByteVector.fromMemorySegment(B, m, a0 + off, LE).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B, m, a0 + off + 16, LE).convertShape(VectorOperators.B2S, S, 0))
                                .mul(x1)).reinterpretAsInts();
                IntVector v0 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                two = ((ShortVector) ByteVector.fromMemorySegment(B, m, a4 + off, LE).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B, m, a4 + off + 16, LE).convertShape(VectorOperators.B2S, S, 0))
                                .mul(x1)).reinterpretAsInts();
                IntVector v4 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                IntVector u0 = v0.blend(v4, HIGH_FOUR).add(v4.blend(v0, HIGH_FOUR).rearrange(SWAP_FOURS));
                two = ((ShortVector) ByteVector.fromMemorySegment(B, m, a2 + off, LE).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B, m, a2 + off + 16, LE).convertShape(VectorOperators.B2S, S, 0))
                                .mul(x1)).reinterpretAsInts();
                IntVector v2 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                two = ((ShortVector) ByteVector.fromMemorySegment(B, m, a6 + off, LE).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B, m, a6 + off + 16, LE).convertShape(VectorOperators.B2S, S, 0))
                                .mul(x1)).reinterpretAsInts();
                IntVector v6 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                IntVector u1 = v2.blend(v6, HIGH_FOUR).add(v6.blend(v2, HIGH_FOUR).rearrange(SWAP_FOURS));
                two = ((ShortVector) ByteVector.fromMemorySegment(B, m, a1 + off, LE).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B, m, a1 + off + 16, LE).convertShape(VectorOperators.B2S, S, 0))
                                .mul(x1)).reinterpretAsInts();
                IntVector v1 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                two = ((ShortVector) ByteVector.fromMemorySegment(B, m, a5 + off, LE).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B, m, a5 + off + 16, LE).convertShape(VectorOperators.B2S, S, 0))
                                .mul(x1)).reinterpretAsInts();
                IntVector v5 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                IntVector u2 = v1.blend(v5, HIGH_FOUR).add(v5.blend(v1, HIGH_FOUR).rearrange(SWAP_FOURS));
                two = ((ShortVector) ByteVector.fromMemorySegment(B, m, a3 + off, LE).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B, m, a3 + off + 16, LE).convertShape(VectorOperators.B2S, S, 0))
                                .mul(x1)).reinterpretAsInts();
                IntVector v3 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                two = ((ShortVector) ByteVector.fromMemorySegment(B, m, a7 + off, LE).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(B, m, a7 + off + 16, LE).convertShape(VectorOperators.B2S, S, 0))
                                .mul(x1)).reinterpretAsInts();
                IntVector v7 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                IntVector u3 = v3.blend(v7, HIGH_FOUR).add(v7.blend(v3, HIGH_FOUR).rearrange(SWAP_FOURS));
                IntVector w = u0.blend(u1, HIGH_TWOS).add(u1.blend(u0, HIGH_TWOS).rearrange(SWAP_TWOS));
                IntVector z = u2.blend(u3, HIGH_TWOS).add(u3.blend(u2, HIGH_TWOS).rearrange(SWAP_TWOS));
                acc = ((FloatVector) w.blend(z, ODD).add(z.blend(w, ODD).rearrange(SWAP_ONES)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(F, rowScales, 8 * block).mul(xs[block]), acc);
            }
            if (n == ONE_ROWS) {
                acc.intoArray(out, outOff + r);
            } else {
                acc.intoArray(tot, 0);
                System.arraycopy(tot, 0, out, outOff + r, n);
            }
        }
    }

    /**
     * Q4_0 rows (blocks of f16 scale + 16 bytes of nibbles, low = elements 0..15) dotted with one
     * input, as {@link #q8Rows}: the nibbles multiplied unsigned, {@code offsets} (one per block)
     * subtracted from the totals.
     */
    private static void q4Rows(MemorySegment m, long rowBytes, int cols, short[] xq, int[] offsets, float[] xs, float[] tot,
            float[] rowScales, float[] out, int outOff, int rowStart, int rowEnd) {
        for (int r = rowStart; r < rowEnd; r += ONE_ROWS) {
            int n = Math.min(ONE_ROWS, rowEnd - r);
            // a short last tile repeats the range's last row (computed, not stored)
            long a0 = rowBytes * r + 2;
            long a1 = rowBytes * (r + Math.min(1, n - 1)) + 2;
            long a2 = rowBytes * (r + Math.min(2, n - 1)) + 2;
            long a3 = rowBytes * (r + Math.min(3, n - 1)) + 2;
            long a4 = rowBytes * (r + Math.min(4, n - 1)) + 2;
            long a5 = rowBytes * (r + Math.min(5, n - 1)) + 2;
            long a6 = rowBytes * (r + Math.min(6, n - 1)) + 2;
            long a7 = rowBytes * (r + Math.min(7, n - 1)) + 2;
            // the 8 rows' scales, block by block, 8 lanes each: read once per tile, ahead of the block loop
            for (int block = 0; block < cols / BLOCK; block++) {
                long off = 18L * block - 2;
                rowScales[8 * block] = scale(m, a0 + off);
                rowScales[8 * block + 1] = scale(m, a1 + off);
                rowScales[8 * block + 2] = scale(m, a2 + off);
                rowScales[8 * block + 3] = scale(m, a3 + off);
                rowScales[8 * block + 4] = scale(m, a4 + off);
                rowScales[8 * block + 5] = scale(m, a5 + off);
                rowScales[8 * block + 6] = scale(m, a6 + off);
                rowScales[8 * block + 7] = scale(m, a7 + off);
            }
            FloatVector acc = FloatVector.zero(F);
            for (int block = 0, k = 0; k < cols; block++, k += BLOCK) {
                long off = 18L * block;
                ShortVector x0 = ShortVector.fromArray(S, xq, k);
                ShortVector x1 = ShortVector.fromArray(S, xq, k + 16);
                ShortVector q;
                IntVector two;
                q = (ShortVector) ByteVector.fromMemorySegment(B, m, a0 + off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                two = q.and((short) 0x0F).mul(x0).add(q.lanewise(VectorOperators.LSHR, 4).mul(x1)).reinterpretAsInts();
                IntVector v0 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                q = (ShortVector) ByteVector.fromMemorySegment(B, m, a4 + off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                two = q.and((short) 0x0F).mul(x0).add(q.lanewise(VectorOperators.LSHR, 4).mul(x1)).reinterpretAsInts();
                IntVector v4 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector u0 = v0.blend(v4, HIGH_FOUR).add(v4.blend(v0, HIGH_FOUR).rearrange(SWAP_FOURS));
                q = (ShortVector) ByteVector.fromMemorySegment(B, m, a2 + off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                two = q.and((short) 0x0F).mul(x0).add(q.lanewise(VectorOperators.LSHR, 4).mul(x1)).reinterpretAsInts();
                IntVector v2 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                q = (ShortVector) ByteVector.fromMemorySegment(B, m, a6 + off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                two = q.and((short) 0x0F).mul(x0).add(q.lanewise(VectorOperators.LSHR, 4).mul(x1)).reinterpretAsInts();
                IntVector v6 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector u1 = v2.blend(v6, HIGH_FOUR).add(v6.blend(v2, HIGH_FOUR).rearrange(SWAP_FOURS));
                q = (ShortVector) ByteVector.fromMemorySegment(B, m, a1 + off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                two = q.and((short) 0x0F).mul(x0).add(q.lanewise(VectorOperators.LSHR, 4).mul(x1)).reinterpretAsInts();
                IntVector v1 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                q = (ShortVector) ByteVector.fromMemorySegment(B, m, a5 + off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                two = q.and((short) 0x0F).mul(x0).add(q.lanewise(VectorOperators.LSHR, 4).mul(x1)).reinterpretAsInts();
                IntVector v5 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector u2 = v1.blend(v5, HIGH_FOUR).add(v5.blend(v1, HIGH_FOUR).rearrange(SWAP_FOURS));
                q = (ShortVector) ByteVector.fromMemorySegment(B, m, a3 + off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                two = q.and((short) 0x0F).mul(x0).add(q.lanewise(VectorOperators.LSHR, 4).mul(x1)).reinterpretAsInts();
                IntVector v3 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                q = (ShortVector) ByteVector.fromMemorySegment(B, m, a7 + off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                two = q.and((short) 0x0F).mul(x0).add(q.lanewise(VectorOperators.LSHR, 4).mul(x1)).reinterpretAsInts();
                IntVector v7 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector u3 = v3.blend(v7, HIGH_FOUR).add(v7.blend(v3, HIGH_FOUR).rearrange(SWAP_FOURS));
                IntVector w = u0.blend(u1, HIGH_TWOS).add(u1.blend(u0, HIGH_TWOS).rearrange(SWAP_TWOS));
                IntVector z = u2.blend(u3, HIGH_TWOS).add(u3.blend(u2, HIGH_TWOS).rearrange(SWAP_TWOS));
                acc = ((FloatVector) w.blend(z, ODD).add(z.blend(w, ODD).rearrange(SWAP_ONES)).sub(offsets[block]).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(F, rowScales, 8 * block).mul(xs[block]), acc);
            }
            if (n == ONE_ROWS) {
                acc.intoArray(out, outOff + r);
            } else {
                acc.intoArray(tot, 0);
                System.arraycopy(tot, 0, out, outOff + r, n);
            }
        }
    }

    /**
     * Q8_0 rows times inputs {@code t .. t+3}, 2 rows at a time: each weight block widened once, the
     * 8 (row, token) int-lane vectors transposed to their block totals, lane {@code 4i + j} = row
     * {@code i}, token {@code j} (written out: a helper would take vectors, see above).
     */
    private static void q8Rows4(MemorySegment m, long rowBytes, int cols, short[] xq, float[] groupScales, int t,
            float[] lanes, float[] out, int outOff, int rows, int rowStart, int rowEnd) {
        int blocks = cols / BLOCK;
        int gs = t / TOKEN_GROUP * blocks * 8;
        int xt0 = t * cols;
        int xt1 = xt0 + cols;
        int xt2 = xt1 + cols;
        int xt3 = xt2 + cols;
        for (int r = rowStart; r < rowEnd; r += 2) {
            long a = rowBytes * r;
            long b = rowBytes * Math.min(r + 1, rowEnd - 1);
            FloatVector acc = FloatVector.zero(F);
            for (int block = 0, k = 0; k < cols; block++, k += BLOCK, a += 34, b += 34) {
                ShortVector wa0 = (ShortVector) ByteVector.fromMemorySegment(B, m, a + 2, LE).convertShape(VectorOperators.B2S, S, 0);
                ShortVector wa1 = (ShortVector) ByteVector.fromMemorySegment(B, m, a + 18, LE).convertShape(VectorOperators.B2S, S, 0);
                ShortVector wb0 = (ShortVector) ByteVector.fromMemorySegment(B, m, b + 2, LE).convertShape(VectorOperators.B2S, S, 0);
                ShortVector wb1 = (ShortVector) ByteVector.fromMemorySegment(B, m, b + 18, LE).convertShape(VectorOperators.B2S, S, 0);
                ShortVector x0;
                ShortVector x1;
                IntVector two;
                x0 = ShortVector.fromArray(S, xq, xt0 + k);
                x1 = ShortVector.fromArray(S, xq, xt0 + k + 16);
                two = wa0.mul(x0).add(wa1.mul(x1)).reinterpretAsInts();
                IntVector va0 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                two = wb0.mul(x0).add(wb1.mul(x1)).reinterpretAsInts();
                IntVector vb0 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                IntVector u0 = va0.blend(vb0, HIGH_FOUR).add(vb0.blend(va0, HIGH_FOUR).rearrange(SWAP_FOURS));
                x0 = ShortVector.fromArray(S, xq, xt2 + k);
                x1 = ShortVector.fromArray(S, xq, xt2 + k + 16);
                two = wa0.mul(x0).add(wa1.mul(x1)).reinterpretAsInts();
                IntVector va1 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                two = wb0.mul(x0).add(wb1.mul(x1)).reinterpretAsInts();
                IntVector vb1 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                IntVector u1 = va1.blend(vb1, HIGH_FOUR).add(vb1.blend(va1, HIGH_FOUR).rearrange(SWAP_FOURS));
                x0 = ShortVector.fromArray(S, xq, xt1 + k);
                x1 = ShortVector.fromArray(S, xq, xt1 + k + 16);
                two = wa0.mul(x0).add(wa1.mul(x1)).reinterpretAsInts();
                IntVector va2 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                two = wb0.mul(x0).add(wb1.mul(x1)).reinterpretAsInts();
                IntVector vb2 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                IntVector u2 = va2.blend(vb2, HIGH_FOUR).add(vb2.blend(va2, HIGH_FOUR).rearrange(SWAP_FOURS));
                x0 = ShortVector.fromArray(S, xq, xt3 + k);
                x1 = ShortVector.fromArray(S, xq, xt3 + k + 16);
                two = wa0.mul(x0).add(wa1.mul(x1)).reinterpretAsInts();
                IntVector va3 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                two = wb0.mul(x0).add(wb1.mul(x1)).reinterpretAsInts();
                IntVector vb3 = two.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                        .add(two.lanewise(VectorOperators.ASHR, 16));
                IntVector u3 = va3.blend(vb3, HIGH_FOUR).add(vb3.blend(va3, HIGH_FOUR).rearrange(SWAP_FOURS));
                IntVector w = u0.blend(u1, HIGH_TWOS).add(u1.blend(u0, HIGH_TWOS).rearrange(SWAP_TWOS));
                IntVector z = u2.blend(u3, HIGH_TWOS).add(u3.blend(u2, HIGH_TWOS).rearrange(SWAP_TWOS));
                IntVector total = w.blend(z, ODD).add(z.blend(w, ODD).rearrange(SWAP_ONES));
                FloatVector s = FloatVector.broadcast(F, scale(m, a)).blend(FloatVector.broadcast(F, scale(m, b)), HIGH_FOUR_F)
                        .mul(FloatVector.fromArray(F, groupScales, gs + 8 * block));
                acc = ((FloatVector) total.convert(VectorOperators.I2F, 0)).fma(s, acc);
            }
            acc.intoArray(lanes, 0);
            storeGroup(lanes, out, outOff + t * rows + r, rows, rowEnd - r);
        }
    }

    /** Q4_0 rows times inputs {@code t .. t+3}, as {@link #q8Rows4} does for Q8_0. */
    private static void q4Rows4(MemorySegment m, long rowBytes, int cols, short[] xq, int[] groupOffsets,
            float[] groupScales, int t, float[] lanes, float[] out, int outOff, int rows, int rowStart,
            int rowEnd) {
        int blocks = cols / BLOCK;
        int gs = t / TOKEN_GROUP * blocks * 8;
        int xt0 = t * cols;
        int xt1 = xt0 + cols;
        int xt2 = xt1 + cols;
        int xt3 = xt2 + cols;
        for (int r = rowStart; r < rowEnd; r += 2) {
            long a = rowBytes * r;
            long b = rowBytes * Math.min(r + 1, rowEnd - 1);
            FloatVector acc = FloatVector.zero(F);
            for (int block = 0, k = 0; k < cols; block++, k += BLOCK, a += 18, b += 18) {
                ShortVector qa = (ShortVector) ByteVector.fromMemorySegment(B, m, a + 2, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector qb = (ShortVector) ByteVector.fromMemorySegment(B, m, b + 2, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector wa0 = qa.and((short) 0x0F);
                ShortVector wa1 = qa.lanewise(VectorOperators.LSHR, 4);
                ShortVector wb0 = qb.and((short) 0x0F);
                ShortVector wb1 = qb.lanewise(VectorOperators.LSHR, 4);
                ShortVector x0;
                ShortVector x1;
                IntVector two;
                x0 = ShortVector.fromArray(S, xq, xt0 + k);
                x1 = ShortVector.fromArray(S, xq, xt0 + k + 16);
                two = wa0.mul(x0).add(wa1.mul(x1)).reinterpretAsInts();
                IntVector va0 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                two = wb0.mul(x0).add(wb1.mul(x1)).reinterpretAsInts();
                IntVector vb0 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector u0 = va0.blend(vb0, HIGH_FOUR).add(vb0.blend(va0, HIGH_FOUR).rearrange(SWAP_FOURS));
                x0 = ShortVector.fromArray(S, xq, xt2 + k);
                x1 = ShortVector.fromArray(S, xq, xt2 + k + 16);
                two = wa0.mul(x0).add(wa1.mul(x1)).reinterpretAsInts();
                IntVector va1 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                two = wb0.mul(x0).add(wb1.mul(x1)).reinterpretAsInts();
                IntVector vb1 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector u1 = va1.blend(vb1, HIGH_FOUR).add(vb1.blend(va1, HIGH_FOUR).rearrange(SWAP_FOURS));
                x0 = ShortVector.fromArray(S, xq, xt1 + k);
                x1 = ShortVector.fromArray(S, xq, xt1 + k + 16);
                two = wa0.mul(x0).add(wa1.mul(x1)).reinterpretAsInts();
                IntVector va2 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                two = wb0.mul(x0).add(wb1.mul(x1)).reinterpretAsInts();
                IntVector vb2 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector u2 = va2.blend(vb2, HIGH_FOUR).add(vb2.blend(va2, HIGH_FOUR).rearrange(SWAP_FOURS));
                x0 = ShortVector.fromArray(S, xq, xt3 + k);
                x1 = ShortVector.fromArray(S, xq, xt3 + k + 16);
                two = wa0.mul(x0).add(wa1.mul(x1)).reinterpretAsInts();
                IntVector va3 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                two = wb0.mul(x0).add(wb1.mul(x1)).reinterpretAsInts();
                IntVector vb3 = two.add(two.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                IntVector u3 = va3.blend(vb3, HIGH_FOUR).add(vb3.blend(va3, HIGH_FOUR).rearrange(SWAP_FOURS));
                IntVector w = u0.blend(u1, HIGH_TWOS).add(u1.blend(u0, HIGH_TWOS).rearrange(SWAP_TWOS));
                IntVector z = u2.blend(u3, HIGH_TWOS).add(u3.blend(u2, HIGH_TWOS).rearrange(SWAP_TWOS));
                IntVector total = w.blend(z, ODD).add(z.blend(w, ODD).rearrange(SWAP_ONES))
                        .sub(IntVector.fromArray(I, groupOffsets, gs + 8 * block));
                FloatVector s = FloatVector.broadcast(F, scale(m, a)).blend(FloatVector.broadcast(F, scale(m, b)), HIGH_FOUR_F)
                        .mul(FloatVector.fromArray(F, groupScales, gs + 8 * block));
                acc = ((FloatVector) total.convert(VectorOperators.I2F, 0)).fma(s, acc);
            }
            acc.intoArray(lanes, 0);
            storeGroup(lanes, out, outOff + t * rows + r, rows, rowEnd - r);
        }
    }

    /** A token group tile's 8 outputs (lane {@code 4i + j}: row {@code i}, token {@code j}); row 1 only where it exists. */
    private static void storeGroup(float[] lanes, float[] out, int at, int rows, int rowsLeft) {
        for (int j = 0; j < TOKEN_GROUP; j++) {
            out[at + j * rows] = lanes[j];
            if (rowsLeft > 1) {
                out[at + j * rows + 1] = lanes[4 + j];
            }
        }
    }

    private static float scale(MemorySegment m, long block) {
        return Float.float16ToFloat(m.get(ValueLayout.JAVA_SHORT_UNALIGNED, block));
    }
}
