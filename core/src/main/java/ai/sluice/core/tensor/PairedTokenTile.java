package ai.sluice.core.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Int8Kernel}'s batched product on 512-bit machines: the same 8-lane arithmetic, two
 * (row, token) pairs per instruction. A 512-bit register holds one weight chunk twice over (the
 * decoded rows are stored duplicated) against the same chunk of two tokens
 * ({@link Int8Activations#pairs()}); every lane sees the very operations of the 8-lane kernel, so
 * the results keep their bits, and the tile computes 4 rows x 4 tokens with half the instructions
 * and loads per multiply-add.
 *
 * <p>Not thread-safe: one instance per worker thread (it owns the decoded-row buffers).
 */
final class PairedTokenTile {
    private static final VectorSpecies<Float> Z = FloatVector.SPECIES_512;
    private static final int BLOCK = Int8Activations.BLOCK;
    /** Floats per duplicated chunk: 8 columns, twice. */
    private static final int CHUNK = 16;
    static final int ROW_TILE = 4;
    static final int TOKEN_TILE = 4;

    /** The vector width from which this tile replaces {@link Int8Kernel}'s 8-lane tiles (AVX-512). */
    static final int MIN_VECTOR_BITS = 512;

    /**
     * Whether a batch goes through this tile where the kernels are laid out for
     * {@link #MIN_VECTOR_BITS} (the caller's {@code pairedTiles}): the one test both
     * {@link Int8Activations} (which then lays out the token pairs) and {@link Int8Kernel} (which then
     * reads them) ask.
     */
    static boolean takes(boolean pairedTiles, int batch) {
        return pairedTiles && batch >= Math.max(TOKEN_TILE, Int8Kernel.TILED_MIN_BATCH);
    }

    /** {@link #ROW_TILE} decoded rows, each 8-column chunk stored twice, and their block scales. */
    private float[] tile = new float[0];
    private float[] tileScales = new float[0];
    /** The 8 accumulators of a register tile, spilled for the lane sums. */
    private final float[] lanes = new float[8 * 16];

    /** As {@link Int8Kernel#rows}, for a batch this tile {@link #takes}. */
    void rows(MemorySegment data, long rowBytes, boolean q8, int rows, int cols, Int8Activations x, int batch,
            float[] out, int outOff, int rowStart, int rowEnd) {
        int blocks = cols / BLOCK;
        if (tile.length < ROW_TILE * 2 * cols) {
            tile = new float[ROW_TILE * 2 * cols];
            tileScales = new float[ROW_TILE * blocks];
        }
        float[] xf = x.quantsAsFloats();
        float[] xs = x.scales();
        float[] xp = x.pairs();
        float[] xps = x.pairScales();
        int tiled = batch / TOKEN_TILE * TOKEN_TILE;
        for (int r = rowStart; r < rowEnd; r += ROW_TILE) {
            int nr = Math.min(ROW_TILE, rowEnd - r);
            for (int i = 0; i < nr; i++) {
                decodeRow(data, rowBytes * (r + i), q8, blocks, i);
            }
            int b = 0;
            if (nr == ROW_TILE) {
                for (; b < tiled; b += TOKEN_TILE) {
                    tile4x4(blocks, xp, xps, b / 2, out, outOff + b * rows + r, rows);
                }
            }
            for (; b < batch; b++) {
                for (int i = 0; i < nr; i++) {
                    out[outOff + b * rows + r + i] = tile1x1(i, cols, blocks, xf, xs, b);
                }
            }
        }
    }

    /** Decodes row {@code at} into tile row {@code i}: each chunk of 8 quants (as floats, exact) twice. */
    private void decodeRow(MemorySegment m, long at, boolean q8, int blocks, int i) {
        Int8Kernel.decodeRow(m, at, q8, blocks, tile, i * blocks * 4 * CHUNK, CHUNK, tileScales, i * blocks);
    }

    /**
     * Tile rows 0..3 times tokens {@code 2 * pair .. 2 * pair + 3}: per block, each (row, token
     * pair) sums its products in 16 lanes (8 per token; exact, small integers), then adds them into
     * its accumulator times the (row, token) scale products, exactly as {@link Int8Kernel}'s 8-lane
     * paths do per (row, token).
     */
    private void tile4x4(int blocks, float[] xp, float[] xps, int pair, float[] out, int o, int rows) {
        float[] w = tile;
        float[] ws = tileScales;
        int row = blocks * 4 * CHUNK;
        int xa = pair * row;
        int xb = xa + row;
        FloatVector a00 = FloatVector.zero(Z);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        for (int block = 0; block < blocks; block++) {
            int k = block * 4 * CHUNK;
            FloatVector x0 = FloatVector.fromArray(Z, xp, xa + k);
            FloatVector x1 = FloatVector.fromArray(Z, xp, xb + k);
            FloatVector w0 = FloatVector.fromArray(Z, w, k);
            FloatVector w1 = FloatVector.fromArray(Z, w, row + k);
            FloatVector w2 = FloatVector.fromArray(Z, w, 2 * row + k);
            FloatVector w3 = FloatVector.fromArray(Z, w, 3 * row + k);
            FloatVector p00 = w0.mul(x0);
            FloatVector p01 = w0.mul(x1);
            FloatVector p10 = w1.mul(x0);
            FloatVector p11 = w1.mul(x1);
            FloatVector p20 = w2.mul(x0);
            FloatVector p21 = w2.mul(x1);
            FloatVector p30 = w3.mul(x0);
            FloatVector p31 = w3.mul(x1);
            for (int j = CHUNK; j < 4 * CHUNK; j += CHUNK) {
                x0 = FloatVector.fromArray(Z, xp, xa + k + j);
                x1 = FloatVector.fromArray(Z, xp, xb + k + j);
                w0 = FloatVector.fromArray(Z, w, k + j);
                p00 = w0.fma(x0, p00);
                p01 = w0.fma(x1, p01);
                w1 = FloatVector.fromArray(Z, w, row + k + j);
                p10 = w1.fma(x0, p10);
                p11 = w1.fma(x1, p11);
                w2 = FloatVector.fromArray(Z, w, 2 * row + k + j);
                p20 = w2.fma(x0, p20);
                p21 = w2.fma(x1, p21);
                w3 = FloatVector.fromArray(Z, w, 3 * row + k + j);
                p30 = w3.fma(x0, p30);
                p31 = w3.fma(x1, p31);
            }
            // per (row, token) scale = weight scale x activation scale, rounded as the batch of one rounds it
            FloatVector e0 = FloatVector.fromArray(Z, xps, (pair * blocks + block) * CHUNK);
            FloatVector e1 = FloatVector.fromArray(Z, xps, ((pair + 1) * blocks + block) * CHUNK);
            FloatVector d0 = FloatVector.broadcast(Z, ws[block]);
            FloatVector d1 = FloatVector.broadcast(Z, ws[blocks + block]);
            FloatVector d2 = FloatVector.broadcast(Z, ws[2 * blocks + block]);
            FloatVector d3 = FloatVector.broadcast(Z, ws[3 * blocks + block]);
            a00 = p00.fma(d0.mul(e0), a00);
            a01 = p01.fma(d0.mul(e1), a01);
            a10 = p10.fma(d1.mul(e0), a10);
            a11 = p11.fma(d1.mul(e1), a11);
            a20 = p20.fma(d2.mul(e0), a20);
            a21 = p21.fma(d2.mul(e1), a21);
            a30 = p30.fma(d3.mul(e0), a30);
            a31 = p31.fma(d3.mul(e1), a31);
        }
        // through an array: passing 8 vectors to a call C2 does not inline boxes them
        float[] l = lanes;
        a00.intoArray(l, 0);
        a01.intoArray(l, 16);
        a10.intoArray(l, 32);
        a11.intoArray(l, 48);
        a20.intoArray(l, 64);
        a21.intoArray(l, 80);
        a30.intoArray(l, 96);
        a31.intoArray(l, 112);
        for (int i = 0; i < ROW_TILE; i++) {
            // accumulator (row i, pair q): lanes 0..7 are token 2q, 8..15 token 2q+1
            for (int t = 0; t < TOKEN_TILE; t++) {
                out[o + t * rows + i] = VectorMath.sumLanes(l, i * 32 + t * 8, 8);
            }
        }
    }

    /** Tile row {@code i} times token {@code t}, in the 8 lanes and order of {@link Int8Kernel}'s paths. */
    private float tile1x1(int i, int cols, int blocks, float[] xf, float[] xs, int t) {
        return Int8Kernel.blockDot(tile, i * blocks * 4 * CHUNK, CHUNK, tileScales, i * blocks, xf, xs, t, cols, blocks,
                lanes);
    }
}
