package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * llama.cpp's non-repacked x86 dot product order ({@code ggml_vec_dot_q4_0_q8_0} /
 * {@code ggml_vec_dot_q8_0_q8_0} on AVX2 and up), for the Q4_0 matrices llama.cpp does not repack
 * (row count not a multiple of 8): per (row, token), 8 float lanes; per block, lane {@code l}'s
 * exact integer sum of elements {@code 4l .. 4l+3}, converted and fused-multiply-added with the
 * scale product into lane {@code l}; at the end {@code ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))}.
 * Scalar: such matrices are rare (real models have row counts that are multiples of 8).
 */
final class LlamaVecDotOrder {
    private static final int BLOCK = Int8Activations.BLOCK;

    private LlamaVecDotOrder() {
    }

    /** Whether {@code w}'s products take this order: a Q4_0 matrix llama.cpp does not repack (rows not a multiple of 8). */
    static boolean applies(WeightMatrix w) {
        return w.type() == GgmlType.Q4_0 && w.rows() % 8 != 0;
    }

    /** As {@link Int8Kernel#rows}, in this order. */
    static void rows(WeightMatrix w, Int8Activations x, int batch, float[] out, int outOff, int rowStart, int rowEnd) {
        boolean q8 = w.type() == GgmlType.Q8_0;
        MemorySegment m = w.data();
        int cols = w.cols();
        int rows = w.rows();
        int blocks = cols / BLOCK;
        short[] xq = x.quants();
        float[] xs = x.scales();
        float[] lanes = new float[8];
        int[] weights = new int[BLOCK];
        for (int r = rowStart; r < rowEnd; r++) {
            for (int t = 0; t < batch; t++) {
                java.util.Arrays.fill(lanes, 0f);
                for (int block = 0; block < blocks; block++) {
                    long at = w.rowBytes() * r + (long) (q8 ? 34 : 18) * block;
                    for (int k = 0; k < BLOCK; k++) {
                        weights[k] = q8 ? m.get(ValueLayout.JAVA_BYTE, at + 2 + k)
                                : ((m.get(ValueLayout.JAVA_BYTE, at + 2 + k % 16) & 0xFF) >> (k < 16 ? 0 : 4) & 0x0F) - 8;
                    }
                    float d = Float.float16ToFloat(m.get(ValueLayout.JAVA_SHORT_UNALIGNED, at)) * xs[t * blocks + block];
                    int q = t * cols + block * BLOCK;
                    for (int l = 0; l < 8; l++) {
                        int sum = 0;
                        for (int e = 4 * l; e < 4 * l + 4; e++) {
                            sum += weights[e] * xq[q + e];
                        }
                        lanes[l] = Math.fma(d, (float) sum, lanes[l]);
                    }
                }
                out[outOff + t * rows + r] = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6]))
                        + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
            }
        }
    }
}
