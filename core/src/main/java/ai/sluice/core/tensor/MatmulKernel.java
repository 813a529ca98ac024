package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix product over a range of output rows, register-tiled: {@link #ROW_TILE} weight rows at
 * a time, each tile's weights decoded once for the whole batch (prefill and batched decode); F32
 * weights are read in place.
 *
 * <p><b>One summation order everywhere.</b> Every output element {@code W[r] . x[b]} is one FMA
 * chain over the vector lanes in column order, its lanes added in lane order, then a scalar tail.
 * Whatever tile, batch size or path computes it, the element gets the same bits: the engine's batch
 * invariance rests on this. Several chains run side by side (rows x tokens of a tile) to hide the
 * FMA latency, instead of several accumulators per element, which would tie the bits to the tiling.
 *
 * <p>Not thread-safe: one instance per worker thread (it owns the decoded-row buffer).
 */
final class MatmulKernel {
    /** Weight rows computed together: 4 rows x 2 tokens = 8 accumulators + 4 weights + 2 inputs fit 16 AVX2 registers (x 4 tokens: 32 AVX-512 ones). */
    static final int ROW_TILE = 4;
    /** Bytes of input rows kept hot in L2 while a row tile is swept across them. */
    private static final int TOKEN_BLOCK_BYTES = 256 * 1024;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    /**
     * Tokens per tile where vectors are 512 bits: AVX-512 has 32 vector registers, room for 4 x 4
     * accumulators + 4 weights + 4 inputs; AVX2's 16 fit 4 x 2.
     */
    private static final boolean FOUR_TOKENS = F.vectorBitSize() >= 512;

    private float[] tile = new float[0];
    /** The 16 accumulators of a 4 x 4 tile, stored for their lane sums. */
    private final float[] lanes = new float[16 * L];

    /**
     * {@code out[outOff + b * rows + r] = W[r] . x[xOff + b * cols ..]} for {@code r} in
     * {@code [rowStart, rowEnd)} and {@code b < batch}.
     */
    void rows(WeightMatrix w, float[] x, int xOff, int batch, float[] out, int outOff, int rowStart, int rowEnd) {
        int cols = w.cols();
        if (batch == 1 && fusedDecode(w, x, xOff, out, outOff, rowStart, rowEnd)) {
            return;
        }
        float[] buf = tile(ROW_TILE * cols);
        int rows = w.rows();
        // tokens per block: their inputs stay in L2 while every row tile of the range passes over them
        int tokenBlock = Math.max(2, TOKEN_BLOCK_BYTES / (Float.BYTES * Math.max(1, cols)) & ~1);
        for (int b0 = 0; b0 < batch; b0 += tokenBlock) {
            int b1 = Math.min(batch, b0 + tokenBlock);
            for (int r = rowStart; r < rowEnd; r += ROW_TILE) {
                int nr = Math.min(ROW_TILE, rowEnd - r);
                for (int i = 0; i < nr; i++) {
                    w.dequantizeRow(r + i, buf, i * cols);
                }
                if (nr == ROW_TILE) {
                    int b = b0;
                    if (FOUR_TOKENS) {
                        for (; b + 3 < b1; b += 4) {
                            dot4x4(buf, cols, x, xOff + b * cols, out, outOff + b * rows + r, rows, lanes);
                        }
                    }
                    for (; b + 1 < b1; b += 2) {
                        dot4x2(buf, cols, x, xOff + b * cols, out, outOff + b * rows + r, rows);
                    }
                    if (b < b1) {
                        dot4x1(buf, cols, x, xOff + b * cols, out, outOff + b * rows + r);
                    }
                } else {
                    for (int i = 0; i < nr; i++) {
                        for (int b = b0; b < b1; b++) {
                            out[outOff + b * rows + r + i] = dot1(buf, i * cols, x, xOff + b * cols, cols);
                        }
                    }
                }
            }
        }
    }

    private float[] tile(int n) {
        if (tile.length < n) {
            tile = new float[n];
        }
        return tile;
    }

    /**
     * Batch of one over F32 (four rows at a time) and F16 (one row at a time, converted in
     * registers; the four-row form of that compiled 6x slower) weights read in place; false for
     * other types, which decode four rows into the L1-sized tile and dot them.
     */
    private boolean fusedDecode(WeightMatrix w, float[] x, int xOff, float[] out, int outOff, int rowStart, int rowEnd) {
        GgmlType type = w.type();
        int fullEnd = rowStart + (rowEnd - rowStart) / ROW_TILE * ROW_TILE;
        if (type == GgmlType.F32) {
            for (int r = rowStart; r < fullEnd; r += ROW_TILE) {
                f32x4(w.data(), w.rowBytes(), r, w.cols(), x, xOff, out, outOff + r);
            }
        } else if (type == GgmlType.F16 && HalfVectors.supported()) {
            for (int r = rowStart; r < rowEnd; r++) {
                out[outOff + r] = f16Row(w.data(), w.rowBytes() * r, w.cols(), x, xOff);
            }
            return true;
        } else {
            return false;
        }
        if (fullEnd < rowEnd) {
            // at most three rows per call: a decoded copy is cheap and keeps the one summation order
            float[] row = tile(w.cols());
            for (int r = fullEnd; r < rowEnd; r++) {
                w.dequantizeRow(r, row, 0);
                out[outOff + r] = dot1(row, 0, x, xOff, w.cols());
            }
        }
        return true;
    }

    /**
     * Four F32 rows dotted with x, read in place. Each row through its own slice: with offsets into
     * the whole matrix, C2 hoisted the bounds checks on a profile-based loop predicate, and when the
     * first calls came from the engine's decode (not from a loop over the matrices) that predicate
     * failed, the method was recompiled without it (not unrolled, checks in the loop) and 110m F32
     * decode ran at 58 instead of 78 tok/s. A slice's checks are against its own size, which C2
     * hoists without a profile.
     */
    private static void f32x4(MemorySegment m, long rowBytes, int r, int cols, float[] x, int xOff, float[] out, int o) {
        MemorySegment s0 = m.asSlice(rowBytes * r, rowBytes);
        MemorySegment s1 = m.asSlice(rowBytes * (r + 1), rowBytes);
        MemorySegment s2 = m.asSlice(rowBytes * (r + 2), rowBytes);
        MemorySegment s3 = m.asSlice(rowBytes * (r + 3), rowBytes);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int k = 0;
        for (int upper = cols - L; k <= upper; k += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + k);
            long at = 4L * k;
            a0 = FloatVector.fromMemorySegment(F, s0, at, ByteOrder.LITTLE_ENDIAN).fma(xv, a0);
            a1 = FloatVector.fromMemorySegment(F, s1, at, ByteOrder.LITTLE_ENDIAN).fma(xv, a1);
            a2 = FloatVector.fromMemorySegment(F, s2, at, ByteOrder.LITTLE_ENDIAN).fma(xv, a2);
            a3 = FloatVector.fromMemorySegment(F, s3, at, ByteOrder.LITTLE_ENDIAN).fma(xv, a3);
        }
        out[o] = f32Tail(VectorMath.sumLanes(a0), s0, x, xOff, k, cols);
        out[o + 1] = f32Tail(VectorMath.sumLanes(a1), s1, x, xOff, k, cols);
        out[o + 2] = f32Tail(VectorMath.sumLanes(a2), s2, x, xOff, k, cols);
        out[o + 3] = f32Tail(VectorMath.sumLanes(a3), s3, x, xOff, k, cols);
    }

    /** One F16 row dotted with x, converted in registers ({@link HalfVectors}): same values and FMA order as the tiles. */
    private static float f16Row(MemorySegment m, long row, int cols, float[] x, int xOff) {
        FloatVector a = FloatVector.zero(F);
        int k = 0;
        for (int upper = cols - L; k <= upper; k += L) {
            FloatVector w = HalfVectors.load(m, row + 2L * k);
            a = w.fma(FloatVector.fromArray(F, x, xOff + k), a);
        }
        float sum = VectorMath.sumLanes(a);
        for (; k < cols; k++) {
            sum += Float.float16ToFloat(m.get(ValueLayout.JAVA_SHORT_UNALIGNED, row + 2L * k)) * x[xOff + k];
        }
        return sum;
    }

    /** {@code sum} plus the columns {@code from..cols} of one row's slice times x, in order. */
    private static float f32Tail(float sum, MemorySegment row, float[] x, int xOff, int from, int cols) {
        for (int k = from; k < cols; k++) {
            sum += row.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * k) * x[xOff + k];
        }
        return sum;
    }

    /**
     * Rows 0..3 of {@code w} dotted with four inputs at xOff + t * cols: each weight and input
     * vector loaded once for four multiply-adds.
     */
    private static void dot4x4(float[] w, int cols, float[] x, int xOff, float[] out, int o, int rows, float[] lanes) {
        int x1 = xOff + cols;
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
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector a23 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a32 = a00;
        FloatVector a33 = a00;
        int k = 0;
        for (int upper = cols - L; k <= upper; k += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, xOff + k);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + k);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + k);
            FloatVector v3 = FloatVector.fromArray(F, x, x3 + k);
            FloatVector w0 = FloatVector.fromArray(F, w, k);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a02 = w0.fma(v2, a02);
            a03 = w0.fma(v3, a03);
            FloatVector w1 = FloatVector.fromArray(F, w, cols + k);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            a12 = w1.fma(v2, a12);
            a13 = w1.fma(v3, a13);
            FloatVector w2 = FloatVector.fromArray(F, w, 2 * cols + k);
            a20 = w2.fma(v0, a20);
            a21 = w2.fma(v1, a21);
            a22 = w2.fma(v2, a22);
            a23 = w2.fma(v3, a23);
            FloatVector w3 = FloatVector.fromArray(F, w, 3 * cols + k);
            a30 = w3.fma(v0, a30);
            a31 = w3.fma(v1, a31);
            a32 = w3.fma(v2, a32);
            a33 = w3.fma(v3, a33);
        }
        // through an array: passing vectors to a call C2 does not inline boxes them
        a00.intoArray(lanes, 0);
        a01.intoArray(lanes, L);
        a02.intoArray(lanes, 2 * L);
        a03.intoArray(lanes, 3 * L);
        a10.intoArray(lanes, 4 * L);
        a11.intoArray(lanes, 5 * L);
        a12.intoArray(lanes, 6 * L);
        a13.intoArray(lanes, 7 * L);
        a20.intoArray(lanes, 8 * L);
        a21.intoArray(lanes, 9 * L);
        a22.intoArray(lanes, 10 * L);
        a23.intoArray(lanes, 11 * L);
        a30.intoArray(lanes, 12 * L);
        a31.intoArray(lanes, 13 * L);
        a32.intoArray(lanes, 14 * L);
        a33.intoArray(lanes, 15 * L);
        for (int i = 0; i < ROW_TILE; i++) {
            for (int t = 0; t < 4; t++) {
                out[o + t * rows + i] = tail(VectorMath.sumLanes(lanes, (4 * i + t) * L, L), w, i * cols, x, xOff + t * cols, k, cols);
            }
        }
    }

    /** Rows 0..3 of {@code w} (row stride cols) dotted with two inputs at xOff and xOff + cols. */
    private static void dot4x2(float[] w, int cols, float[] x, int xOff, float[] out, int o, int rows) {
        int y = xOff + cols;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a10 = a00;
        FloatVector a20 = a00;
        FloatVector a30 = a00;
        FloatVector a01 = a00;
        FloatVector a11 = a00;
        FloatVector a21 = a00;
        FloatVector a31 = a00;
        int k = 0;
        for (int upper = cols - L; k <= upper; k += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + k);
            FloatVector x1 = FloatVector.fromArray(F, x, y + k);
            FloatVector w0 = FloatVector.fromArray(F, w, k);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            FloatVector w1 = FloatVector.fromArray(F, w, cols + k);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            FloatVector w2 = FloatVector.fromArray(F, w, 2 * cols + k);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            FloatVector w3 = FloatVector.fromArray(F, w, 3 * cols + k);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
        }
        out[o] = tail(VectorMath.sumLanes(a00), w, 0, x, xOff, k, cols);
        out[o + 1] = tail(VectorMath.sumLanes(a10), w, cols, x, xOff, k, cols);
        out[o + 2] = tail(VectorMath.sumLanes(a20), w, 2 * cols, x, xOff, k, cols);
        out[o + 3] = tail(VectorMath.sumLanes(a30), w, 3 * cols, x, xOff, k, cols);
        out[o + rows] = tail(VectorMath.sumLanes(a01), w, 0, x, y, k, cols);
        out[o + rows + 1] = tail(VectorMath.sumLanes(a11), w, cols, x, y, k, cols);
        out[o + rows + 2] = tail(VectorMath.sumLanes(a21), w, 2 * cols, x, y, k, cols);
        out[o + rows + 3] = tail(VectorMath.sumLanes(a31), w, 3 * cols, x, y, k, cols);
    }

    /** Rows 0..3 of {@code w} dotted with one input. */
    private static void dot4x1(float[] w, int cols, float[] x, int xOff, float[] out, int o) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int k = 0;
        for (int upper = cols - L; k <= upper; k += L) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + k);
            a0 = FloatVector.fromArray(F, w, k).fma(xv, a0);
            a1 = FloatVector.fromArray(F, w, cols + k).fma(xv, a1);
            a2 = FloatVector.fromArray(F, w, 2 * cols + k).fma(xv, a2);
            a3 = FloatVector.fromArray(F, w, 3 * cols + k).fma(xv, a3);
        }
        out[o] = tail(VectorMath.sumLanes(a0), w, 0, x, xOff, k, cols);
        out[o + 1] = tail(VectorMath.sumLanes(a1), w, cols, x, xOff, k, cols);
        out[o + 2] = tail(VectorMath.sumLanes(a2), w, 2 * cols, x, xOff, k, cols);
        out[o + 3] = tail(VectorMath.sumLanes(a3), w, 3 * cols, x, xOff, k, cols);
    }

    /** One row dotted with one input, in the same order as the tiles. */
    static float dot1(float[] w, int wOff, float[] x, int xOff, int cols) {
        FloatVector a = FloatVector.zero(F);
        int k = 0;
        for (int upper = cols - L; k <= upper; k += L) {
            a = FloatVector.fromArray(F, w, wOff + k).fma(FloatVector.fromArray(F, x, xOff + k), a);
        }
        return tail(VectorMath.sumLanes(a), w, wOff, x, xOff, k, cols);
    }

    /** The scalar columns after the last whole vector, added to the lane sum. */
    private static float tail(float sum, float[] w, int wOff, float[] x, int xOff, int from, int cols) {
        for (int k = from; k < cols; k++) {
            sum += w[wOff + k] * x[xOff + k];
        }
        return sum;
    }
}
