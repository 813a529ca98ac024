package ai.sluice.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.nativelib.NativeLevel;
import ai.sluice.core.testing.NativeKernels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native kernels on row-interleaved weights ({@code sluice_interleaved.c}) against {@link
 * #blockTotal}, the block-total order written out one output at a time: the same bits for every
 * entry, at each instruction-set level this CPU runs, for batches of one, small and large batches
 * (below, at and above each tile, and past the kernels' token block), row counts that end inside a
 * 16-row group or an 8-row half (Q4_0: multiples of 8, the others take {@link LlamaVecDotOrder}), and
 * row ranges as the pool hands them out (starting on a group, ending anywhere).
 */
class InterleavedKernelTest {

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"Q8_0, avx2", "Q4_0, avx2", "Q8_0, avx-vnni", "Q4_0, avx-vnni", "Q8_0, avx512-vnni",
            "Q4_0, avx512-vnni"})
    void everyEntryHasTheBitsOfTheBlockTotalOrder(GgmlType type, String levelName) {
        NativeLevel level = NativeKernels.requireLevel(levelName);
        NativeInt8Kernel kernel = NativeInt8Kernel.load(level, true);
        // rows: inside one half, one group, a half past a group, several groups with a tail;
        // columns: the engine's small shapes (stories260K: 64, 288, 512; 110m/1b: 768, 2048) and 8192,
        // whose batch of 37 passes two blocks of tokens
        int[][] shapes = {{1, 32}, {8, 64}, {16, 96}, {24, 288}, {41, 512}, {77, 768}, {33, 2048}, {20, 8192}};
        long seed = 100;
        for (int[] shape : shapes) {
            // Q4_0 with rows not a multiple of 8 takes llama.cpp's vec_dot order (LlamaVecDotOrder), not these kernels
            int rows = type == GgmlType.Q4_0 ? (shape[0] + 7) / 8 * 8 : shape[0];
            int cols = shape[1];
            WeightMatrix w = WeightMatrixTest.make(type, rows, cols, seed++).matrix();
            int[] batches = cols == 8192 ? new int[] {1, 37} : new int[] {1, 2, 3, 4, 5, 8, 9, 16, 19, 64};
            for (int batch : batches) {
                Int8Activations x = new Int8Activations(false);
                x.quantize(NativeInt8KernelTest.activations(batch * cols, seed++), 0, batch, cols);
                kernel.prepare(x, batch * cols);
                float[] expected = new float[batch * rows];
                for (int t = 0; t < batch; t++) {
                    for (int r = 0; r < rows; r++) {
                        expected[t * rows + r] = blockTotal(w, r, x, t);
                    }
                }
                // the whole matrix at once, then in ranges of 16-row units (as the pool splits it)
                float[] whole = new float[batch * rows];
                kernel.rows(w, x, batch, whole, 0, 0, rows);
                assertSameBits(whole, expected, w, batch, rows);
                float[] ranged = new float[batch * rows];
                for (int start = 0, units = 1; start < rows; start += 16 * units, units = units % 3 + 1) {
                    kernel.rows(w, x, batch, ranged, 0, start, Math.min(rows, start + 16 * units));
                }
                assertSameBits(ranged, expected, w, batch, rows);
            }
        }
    }

    private static void assertSameBits(float[] actual, float[] expected, WeightMatrix w, int batch, int rows) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i]))
                    .as("%s batch %d token %d row %d: %s vs %s", w, batch, i / rows, i % rows, actual[i], expected[i])
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    /**
     * The block-total order for (row, token): per block in order, the exact integer sum of weight x
     * activation quant, times the float product of the two scales, added by one FMA.
     */
    static float blockTotal(WeightMatrix w, int row, Int8Activations x, int token) {
        boolean q8 = w.type() == GgmlType.Q8_0;
        int stride = q8 ? 34 : 18;
        int blocks = w.cols() / Int8Activations.BLOCK;
        MemorySegment data = w.data();
        short[] quants = x.quants();
        float acc = 0f;
        for (int b = 0; b < blocks; b++) {
            long at = row * w.rowBytes() + (long) b * stride;
            int total = 0;
            for (int k = 0; k < Int8Activations.BLOCK; k++) {
                int weight = q8 ? data.get(ValueLayout.JAVA_BYTE, at + 2 + k)
                        : (Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, at + 2 + k % 16)) >> (k < 16 ? 0 : 4) & 15) - 8;
                total += weight * quants[token * w.cols() + b * Int8Activations.BLOCK + k];
            }
            float weightScale = Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT_UNALIGNED, at));
            acc = Math.fma((float) total, weightScale * x.scales()[token * blocks + b], acc);
        }
        return acc;
    }
}
