package ai.sluice.core.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Int8Kernel}'s float tiles on 512-bit machines: a panel's 16 tokens
 * ({@link Int8Activations#panels()}) in one register, 4 decoded rows times 2 panels per tile. Each
 * lane does exactly what the 256-bit tile's lane does for its (row, token) (32 FMAs summing the
 * block's products exactly, then one FMA with the scale product), so the results keep their bits,
 * with half the instructions per multiply-add.
 *
 * <p>Not thread-safe: one instance per worker thread (it owns the decoded-row buffers).
 */
final class WideTokenTile {
    private static final VectorSpecies<Float> Z = FloatVector.SPECIES_512;
    private static final int BLOCK = Int8Activations.BLOCK;
    private static final int PANEL = Int8Activations.PANEL;
    static final int ROW_TILE = 4;
    /** Bytes of (float) activations kept hot in L2 while the rows of a range pass over them. */
    private static final int TOKEN_BLOCK_BYTES = 1024 * 1024;

    /** The vector width from which this tile replaces {@link Int8Kernel}'s 8-lane tiles (AVX-512). */
    static final int MIN_VECTOR_BITS = 512;

    /** Whether a batch goes through this tile where the kernels are laid out for {@link #MIN_VECTOR_BITS} (the caller's {@code wideTiles}). */
    static boolean takes(boolean wideTiles, int batch) {
        return wideTiles && Int8Kernel.tiledTokens(batch) > 0;
    }

    /** {@link #ROW_TILE} decoded rows and their block scales. */
    private float[] tile = new float[0];
    private float[] tileScales = new float[0];
    /** The accumulators of a tile, row {@code i} and token {@code j} of a panel at {@code i * 16 + j}, per panel. */
    private final float[] lanes = new float[2 * ROW_TILE * PANEL];

    /** As {@link Int8Kernel#rows}, for the first {@code panels} x 16 tokens of a batch. */
    void rows(MemorySegment data, long rowBytes, boolean q8, int rows, int cols, Int8Activations x, int panels,
            float[] out, int outOff, int rowStart, int rowEnd) {
        int blocks = cols / BLOCK;
        if (tile.length < ROW_TILE * cols) {
            tile = new float[ROW_TILE * cols];
            tileScales = new float[ROW_TILE * blocks];
        }
        float[] xp = x.panels();
        float[] xps = x.panelScales();
        int panelBlock = Math.max(2, TOKEN_BLOCK_BYTES / (Float.BYTES * PANEL * cols) / 2 * 2);
        for (int p0 = 0; p0 < panels; p0 += panelBlock) {
            int p1 = Math.min(panels, p0 + panelBlock);
            for (int r = rowStart; r < rowEnd; r += ROW_TILE) {
                int nr = Math.min(ROW_TILE, rowEnd - r);
                for (int i = 0; i < ROW_TILE; i++) {
                    // a short last tile repeats its last row (computed, not stored)
                    Int8Kernel.decodeRow(data, rowBytes * (r + Math.min(i, nr - 1)), q8, blocks, tile, i * cols,
                            tileScales, i * blocks);
                }
                int p = p0;
                for (; p + 2 <= p1; p += 2) {
                    tile4x32(cols, blocks, xp, xps, p);
                    Int8Kernel.storeTile(lanes, out, outOff + p * PANEL * rows + r, rows, nr);
                    System.arraycopy(lanes, ROW_TILE * PANEL, lanes, 0, ROW_TILE * PANEL);
                    Int8Kernel.storeTile(lanes, out, outOff + (p + 1) * PANEL * rows + r, rows, nr);
                }
                if (p < p1) {
                    tile4x16(cols, blocks, xp, xps, p);
                    Int8Kernel.storeTile(lanes, out, outOff + p * PANEL * rows + r, rows, nr);
                }
            }
        }
    }

    /**
     * Tile rows 0..3 times panels {@code p} and {@code p + 1}: per block, 32 FMAs per (row, panel)
     * sum the block's products exactly, then one FMA adds them times the scale products.
     */
    private void tile4x32(int cols, int blocks, float[] xp, float[] xps, int p) {
        float[] w = tile;
        float[] ws = tileScales;
        int xa = p * cols * PANEL;
        int xb = xa + cols * PANEL;
        int sa = p * blocks * PANEL;
        int sb = sa + blocks * PANEL;
        FloatVector a00 = FloatVector.zero(Z);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        for (int block = 0; block < blocks; block++) {
            FloatVector t00 = FloatVector.zero(Z);
            FloatVector t01 = t00;
            FloatVector t10 = t00;
            FloatVector t11 = t00;
            FloatVector t20 = t00;
            FloatVector t21 = t00;
            FloatVector t30 = t00;
            FloatVector t31 = t00;
            for (int k = block * BLOCK, end = k + BLOCK; k < end; k++) {
                FloatVector x0 = FloatVector.fromArray(Z, xp, xa + k * PANEL);
                FloatVector x1 = FloatVector.fromArray(Z, xp, xb + k * PANEL);
                FloatVector v = FloatVector.broadcast(Z, w[k]);
                t00 = v.fma(x0, t00);
                t01 = v.fma(x1, t01);
                v = FloatVector.broadcast(Z, w[cols + k]);
                t10 = v.fma(x0, t10);
                t11 = v.fma(x1, t11);
                v = FloatVector.broadcast(Z, w[2 * cols + k]);
                t20 = v.fma(x0, t20);
                t21 = v.fma(x1, t21);
                v = FloatVector.broadcast(Z, w[3 * cols + k]);
                t30 = v.fma(x0, t30);
                t31 = v.fma(x1, t31);
            }
            // per (row, token) scale = weight scale x activation scale, rounded as every path rounds it
            FloatVector e0 = FloatVector.fromArray(Z, xps, sa + block * PANEL);
            FloatVector e1 = FloatVector.fromArray(Z, xps, sb + block * PANEL);
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
        // through an array: passing vectors to a call C2 does not inline boxes them; panel p first, then p + 1
        float[] l = lanes;
        a00.intoArray(l, 0);
        a10.intoArray(l, PANEL);
        a20.intoArray(l, 2 * PANEL);
        a30.intoArray(l, 3 * PANEL);
        a01.intoArray(l, 4 * PANEL);
        a11.intoArray(l, 5 * PANEL);
        a21.intoArray(l, 6 * PANEL);
        a31.intoArray(l, 7 * PANEL);
    }

    /** As {@link #tile4x32} for the one panel {@code p} (a batch's odd last panel). */
    private void tile4x16(int cols, int blocks, float[] xp, float[] xps, int p) {
        float[] w = tile;
        float[] ws = tileScales;
        int xa = p * cols * PANEL;
        int sa = p * blocks * PANEL;
        FloatVector a0 = FloatVector.zero(Z);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int block = 0; block < blocks; block++) {
            FloatVector t0 = FloatVector.zero(Z);
            FloatVector t1 = t0;
            FloatVector t2 = t0;
            FloatVector t3 = t0;
            for (int k = block * BLOCK, end = k + BLOCK; k < end; k++) {
                FloatVector x0 = FloatVector.fromArray(Z, xp, xa + k * PANEL);
                t0 = FloatVector.broadcast(Z, w[k]).fma(x0, t0);
                t1 = FloatVector.broadcast(Z, w[cols + k]).fma(x0, t1);
                t2 = FloatVector.broadcast(Z, w[2 * cols + k]).fma(x0, t2);
                t3 = FloatVector.broadcast(Z, w[3 * cols + k]).fma(x0, t3);
            }
            FloatVector e0 = FloatVector.fromArray(Z, xps, sa + block * PANEL);
            a0 = t0.fma(e0.mul(ws[block]), a0);
            a1 = t1.fma(e0.mul(ws[blocks + block]), a1);
            a2 = t2.fma(e0.mul(ws[2 * blocks + block]), a2);
            a3 = t3.fma(e0.mul(ws[3 * blocks + block]), a3);
        }
        float[] l = lanes;
        a0.intoArray(l, 0);
        a1.intoArray(l, PANEL);
        a2.intoArray(l, 2 * PANEL);
        a3.intoArray(l, 3 * PANEL);
    }
}
