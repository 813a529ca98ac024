package ai.sluice.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgmlType;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The 8-bit activation path: llama.cpp's rounding, and one set of bits for a row whatever the batch
 * and whatever the vector width. Both layouts run on every machine (a width the CPU lacks is
 * emulated): the AVX2 one (256-bit, 2 x 4 tiles for large batches) and the AVX-512 one (512-bit,
 * {@link WideTokenTile}), so no test here depends on the machine it runs on.
 */
class Int8KernelTest {
    private static final CpuBackend AVX2_LAYOUT = new CpuBackend(new KernelPool(2), 256);
    private static final CpuBackend AVX512_LAYOUT = new CpuBackend(new KernelPool(2), 512);

    @AfterAll
    static void close() {
        AVX2_LAYOUT.close();
        AVX512_LAYOUT.close();
    }

    private static CpuBackend layout(int vectorBits) {
        return vectorBits == 512 ? AVX512_LAYOUT : AVX2_LAYOUT;
    }

    /** Below 256-bit vectors the machine's default backend multiplies Q8_0/Q4_0 in float: said here, not skipped silently. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void theDefaultBackendTakesTheInt8PathExactlyWhereVectorsAreAtLeast256Bits(GgmlType type) {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        try (CpuBackend machine = new CpuBackend(new KernelPool(1));
                CpuBackend narrow = new CpuBackend(new KernelPool(1), 128)) {
            assertThat(machine.multipliesInt8(type)).as("%d-bit vectors", preferred).isEqualTo(preferred >= 256);
            assertThat(narrow.multipliesInt8(type)).isFalse();
        }
        assertThat(AVX2_LAYOUT.multipliesInt8(type)).isTrue();
        assertThat(AVX512_LAYOUT.multipliesInt8(GgmlType.F16)).isFalse();
    }

    @Test
    void activationsRoundToNearestEvenWithAHalfPrecisionScale() {
        float[] x = new float[64];
        x[0] = 127f;          // the block maximum: scale 1, every value maps to itself
        x[1] = 2.5f;          // a tie: to even, 2
        x[2] = 3.5f;          // a tie: to even, 4
        x[3] = -2.5f;         // -2
        x[4] = 0.49f;         // 0
        x[5] = -126.6f;       // -127
        // second block all zero: scale 0, quants 0 (no division by zero)
        Int8Activations q = new Int8Activations(false);
        q.quantize(x, 0, 2, 32);
        assertThat(q.quants()).startsWith((short) 127, (short) 2, (short) 4, (short) -2, (short) 0, (short) -127);
        assertThat(q.scales()[0]).isEqualTo(1f);
        assertThat(q.scales()[1]).isZero();
        for (int i = 32; i < 64; i++) {
            assertThat(q.quants()[i]).isZero();
        }
        // a scale that is not a half-precision number is stored rounded to one
        float[] y = new float[32];
        y[0] = 1f;
        q.quantize(y, 0, 1, 32);
        assertThat(q.scales()[0]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(1f / 127f)));
        assertThat(q.quants()[0]).isEqualTo((short) 127);
    }

    @Test
    void quantizedRowsMustBeWholeBlocks() {
        Int8Activations q = new Int8Activations(false);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.quantize(new float[40], 0, 1, 40))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("40");
    }

    /**
     * Long rows and every batch path: tokens one by one (2), one group of four (4), a group and
     * three alone (7), and float tiles over several L2 token blocks with remainder rows and tokens
     * (39): every entry equals the batch-of-one result bit for bit (the fused path over the mapped bytes).
     */
    @ParameterizedTest
    @CsvSource({"Q8_0, 256", "Q8_0, 512", "Q4_0, 256", "Q4_0, 512"})
    void everyBatchGivesEveryEntryTheBitsOfABatchOfOne(GgmlType type, int vectorBits) {
        for (int batch : new int[] {2, 4, 7, 39}) {
            assertEveryEntryHasTheBitsOfABatchOfOne(layout(vectorBits), type, batch);
        }
    }

    /**
     * The AVX2 layout's 2 x 4 float tiles and the AVX-512 layout's paired-token tiles, each on the
     * batches that reach them (from 16 tokens; odd batches and rows for the remainders), give every
     * entry the same bits: a model answers alike on both kinds of machine.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0"})
    void theAvx2AndAvx512LayoutsGiveTheSameBits(GgmlType type) {
        int rows = type == GgmlType.Q4_0 ? 24 : 9; // Q4_0 rows not a multiple of 8: LlamaVecDotOrder instead
        int cols = 4096;
        WeightMatrix w = WeightMatrixTest.make(type, rows, cols, 11).matrix();
        Random rnd = new Random(3);
        for (int batch : new int[] {16, 21, 40}) {
            assertThat(WideTokenTile.takes(true, batch)).as("wide tiles at batch %d", batch).isTrue();
            assertThat(WideTokenTile.takes(false, batch)).isFalse();
            float[] x = new float[batch * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * (1 + (i % 31)));
            }
            float[] avx2 = new float[batch * rows];
            float[] avx512 = new float[batch * rows];
            AVX2_LAYOUT.matmul(w, x, batch, avx2);
            AVX512_LAYOUT.matmul(w, x, batch, avx512);
            for (int i = 0; i < avx2.length; i++) {
                assertThat(Float.floatToRawIntBits(avx512[i])).as("batch %d, entry %d, row %d", batch, i / rows, i % rows)
                        .isEqualTo(Float.floatToRawIntBits(avx2[i]));
            }
        }
    }

    private static void assertEveryEntryHasTheBitsOfABatchOfOne(CpuBackend backend, GgmlType type, int batch) {
        int rows = type == GgmlType.Q4_0 ? 8 : 5; // Q4_0 rows not a multiple of 8: LlamaVecDotOrder instead
        int cols = 8192;
        WeightMatrix w = WeightMatrixTest.make(type, rows, cols, 42).matrix();
        Random rnd = new Random(7);
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * (1 + (i % 97)));
        }
        float[] together = new float[batch * rows];
        backend.matmul(w, x, batch, together);
        float[] single = new float[rows];
        for (int b = 0; b < batch; b++) {
            backend.matmul(w, x, b * cols, 1, single, 0);
            for (int r = 0; r < rows; r++) {
                assertThat(Float.floatToRawIntBits(together[b * rows + r])).as("batch %d entry %d row %d", batch, b, r)
                        .isEqualTo(Float.floatToRawIntBits(single[r]));
            }
        }
    }

    /**
     * Every path (the fused batch of one, token groups, the float tiles and their remainder) equals the exact sum
     * of weight x quantized activation over the row, up to float rounding: catches a lane that pairs
     * the wrong elements, which bit-identity between the paths alone would not.
     */
    @ParameterizedTest
    @CsvSource({"Q8_0, 256", "Q8_0, 512", "Q4_0, 256", "Q4_0, 512"})
    void everyPathEqualsTheExactProductOfTheQuantizedInputs(GgmlType type, int vectorBits) {
        for (int[] shape : new int[][] {{7, 32}, {9, 96}, {4, 2048}}) {
            int rows = shape[0];
            int cols = shape[1];
            WeightMatrixTest.Case c = WeightMatrixTest.make(type, rows, cols, 5L + cols);
            Random rnd = new Random(cols);
            for (int batch : new int[] {1, 3, 6, 9}) {
                float[] x = spreadGaussian(rnd, batch * cols, 13);
                Int8Activations q = new Int8Activations(false);
                q.quantize(x, 0, batch, cols);
                float[] out = new float[batch * rows];
                layout(vectorBits).matmul(c.matrix(), x, batch, out);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        double ref = 0;
                        double mag = 0;
                        for (int j = 0; j < cols; j++) {
                            double p = (double) c.expected()[r * cols + j] * q.quants()[b * cols + j]
                                    * q.scales()[(b * cols + j) / Int8Activations.BLOCK];
                            ref += p;
                            mag += Math.abs(p);
                        }
                        assertThat((double) out[b * rows + r]).as("%d x %d, batch %d, entry %d, row %d", rows, cols, batch, b, r)
                                .isCloseTo(ref, org.assertj.core.api.Assertions.within(1e-5 * mag + 1e-6));
                    }
                }
            }
        }
    }
    /**
     * The order itself, which the native kernels share (llama.cpp's repacked Q4_0 order): per
     * (row, token), blocks in order, {@code acc = fma((float) T, (float) (weight scale x activation
     * scale), acc)} with {@code T} the block's exact integer total. A scalar reference of exactly
     * that gives every entry of every path (batch of one, token groups, single tokens, both tile
     * layouts and their remainders, rows that are not a multiple of any tile) its bits.
     */
    @ParameterizedTest
    @CsvSource({"Q8_0, 256", "Q8_0, 512", "Q4_0, 256", "Q4_0, 512"})
    void everyPathComputesTheBlockTotalOrderBitForBit(GgmlType type, int vectorBits) {
        // Q4_0 takes this order where llama.cpp repacks it, rows a multiple of 8 (see the next test)
        int rows = type == GgmlType.Q8_0 ? 13 : 24;
        int cols = 320;
        WeightMatrix w = WeightMatrixTest.make(type, rows, cols, 17).matrix();
        Random rnd = new Random(19);
        for (int batch : new int[] {1, 3, 6, 16, 37}) {
            float[] x = spreadGaussian(rnd, batch * cols, 41);
            Int8Activations q = new Int8Activations(false);
            q.quantize(x, 0, batch, cols);
            float[] out = new float[batch * rows];
            layout(vectorBits).matmul(w, x, batch, out);
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < rows; r++) {
                    float expected = blockTotalOrder(w, r, q.quants(), q.scales(), b);
                    assertThat(Float.floatToRawIntBits(out[b * rows + r])).as("batch %d, entry %d, row %d", batch, b, r)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
    }

    /**
     * A Q4_0 matrix whose row count is not a multiple of 8 (llama.cpp does not repack it) takes
     * llama.cpp's vec_dot order in every batch: per (row, token) 8 float lanes, lane {@code l}
     * fused-multiply-adds the exact sum of elements {@code 4l..4l+3} times the scale product, and
     * the lanes add as {@code ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))}.
     */
    @ParameterizedTest
    @CsvSource({"256", "512"})
    void q4MatricesWithRowsNotAMultipleOf8TakeLlamaCppsVecDotOrder(int vectorBits) {
        int rows = 13;
        int cols = 160;
        WeightMatrix w = WeightMatrixTest.make(GgmlType.Q4_0, rows, cols, 23).matrix();
        assertThat(LlamaVecDotOrder.applies(w)).isTrue();
        assertThat(LlamaVecDotOrder.applies(WeightMatrixTest.make(GgmlType.Q4_0, 16, cols, 23).matrix())).isFalse();
        assertThat(LlamaVecDotOrder.applies(WeightMatrixTest.make(GgmlType.Q8_0, rows, cols, 23).matrix())).isFalse();
        Random rnd = new Random(29);
        for (int batch : new int[] {1, 5, 17}) {
            float[] x = spreadGaussian(rnd, batch * cols, 37);
            Int8Activations q = new Int8Activations(false);
            q.quantize(x, 0, batch, cols);
            float[] out = new float[batch * rows];
            layout(vectorBits).matmul(w, x, batch, out);
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < rows; r++) {
                    float[] lanes = new float[8];
                    for (int block = 0; block < cols / 32; block++) {
                        long at = w.rowBytes() * r + 18L * block;
                        float d = Float.float16ToFloat(w.data().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, at))
                                * q.scales()[b * cols / 32 + block];
                        for (int l = 0; l < 8; l++) {
                            int sum = 0;
                            for (int e = 4 * l; e < 4 * l + 4; e++) {
                                int nibble = (w.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + 2 + e % 16) & 0xFF)
                                        >> (e < 16 ? 0 : 4) & 0x0F;
                                sum += (nibble - 8) * q.quants()[b * cols + block * 32 + e];
                            }
                            lanes[l] = Math.fma(d, (float) sum, lanes[l]);
                        }
                    }
                    float expected = ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
                    assertThat(Float.floatToRawIntBits(out[b * rows + r])).as("batch %d, entry %d, row %d", batch, b, r)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
    }

    /** Row {@code r} of a Q8_0/Q4_0 matrix times entry {@code b} of quantized activations, in the block-total order. */
    private static float blockTotalOrder(WeightMatrix w, int r, short[] quants, float[] scales, int b) {
        boolean q8 = w.type() == GgmlType.Q8_0;
        int blocks = w.cols() / Int8Activations.BLOCK;
        float acc = 0f;
        for (int block = 0; block < blocks; block++) {
            long at = w.rowBytes() * r + (long) (q8 ? 34 : 18) * block;
            int total = 0;
            for (int k = 0; k < Int8Activations.BLOCK; k++) {
                int weight = q8 ? w.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + 2 + k)
                        : ((w.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, at + 2 + k % 16) & 0xFF) >> (k < 16 ? 0 : 4) & 0x0F) - 8;
                total += weight * quants[b * w.cols() + block * Int8Activations.BLOCK + k];
            }
            float weightScale = Float.float16ToFloat(w.data().get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, at));
            acc = Math.fma((float) total, weightScale * scales[b * blocks + block], acc);
        }
        return acc;
    }

    /** Gaussian values whose scale cycles through 1..{@code period}: blocks with different activation scales. */
    private static float[] spreadGaussian(Random rnd, int n, int period) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * (1 + i % period));
        }
        return x;
    }
}
