package ai.sluice.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every supported type against a scalar reference. Each matrix is generated from known values
 * (scales and integer quants for block types), so the expected floats come from the generator,
 * not from decoding the bytes again.
 */
class WeightMatrixTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final CpuBackend BACKEND = new CpuBackend(new KernelPool(3));

    @AfterAll
    static void closeBackend() {
        BACKEND.close();
    }

    /** A matrix plus the floats it must decode to. */
    record Case(WeightMatrix matrix, float[] expected) {
        @Override
        public String toString() {
            return matrix.toString();
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[][] plainShapes = {{1, 1}, {3, 1}, {1, 37}, {5, 37}, {17, 64}, {9, 100}, {2, 7}};
        int[][] blockShapes = {{1, 32}, {5, 96}, {3, 160}, {33, 64}};
        long seed = 1;
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16)) {
            for (int[] s : plainShapes) {
                for (int batch : new int[] {1, 7}) {
                    out.add(Arguments.of(make(type, s[0], s[1], seed++), batch));
                }
            }
        }
        for (GgmlType type : List.of(GgmlType.Q8_0, GgmlType.Q4_0)) {
            for (int[] s : blockShapes) {
                for (int batch : new int[] {1, 7}) {
                    out.add(Arguments.of(make(type, s[0], s[1], seed++), batch));
                }
            }
        }
        int[][] superBlockShapes = {{1, 256}, {3, 512}, {9, 256}};
        for (GgmlType type : List.of(GgmlType.Q4_K, GgmlType.Q6_K)) {
            for (int[] s : superBlockShapes) {
                for (int batch : new int[] {1, 7}) {
                    out.add(Arguments.of(make(type, s[0], s[1], seed++), batch));
                }
            }
        }
        return out.stream();
    }

    /** Random super-block bytes with sane f16 scales; expected values per element from the layout's definition. */
    static Case makeSuperBlocks(GgmlType type, int rows, int cols, Random rnd, MemorySegment seg) {
        float[] expected = new float[rows * cols];
        int blocks = rows * cols / 256;
        for (int blk = 0; blk < blocks; blk++) {
            long base = (long) blk * type.bytesPerBlock();
            byte[] raw = new byte[type.bytesPerBlock()];
            rnd.nextBytes(raw);
            MemorySegment.copy(raw, 0, seg, ValueLayout.JAVA_BYTE, base, raw.length);
            int e0 = blk * 256;
            if (type == GgmlType.Q4_K) {
                short d = Float.floatToFloat16(0.001f + rnd.nextFloat() * 0.01f);
                short dmin = Float.floatToFloat16(rnd.nextFloat() * 0.01f);
                seg.set(I16, base, d);
                seg.set(I16, base + 2, dmin);
                for (int e = 0; e < 256; e++) {
                    int sub = e / 32;                   // 8 sub-blocks of 32
                    int qsByte = 32 * (sub / 2) + e % 32; // two sub-blocks share 32 bytes: low then high nibbles
                    int q = sub % 2 == 0 ? (raw[16 + qsByte] & 0x0F) : (raw[16 + qsByte] & 0xFF) >> 4;
                    int[] sm = scaleMin(raw, sub);
                    expected[e0 + e] = Float.float16ToFloat(d) * sm[0] * q - Float.float16ToFloat(dmin) * sm[1];
                }
            } else {
                short d = Float.floatToFloat16(0.001f + rnd.nextFloat() * 0.01f);
                seg.set(I16, base + 208, d);
                for (int e = 0; e < 256; e++) {
                    int half = e / 128;
                    int quarter = e % 128 / 32;
                    int l = e % 32;
                    int lowByte = raw[64 * half + l + (quarter % 2) * 32] & 0xFF;
                    int low = quarter < 2 ? lowByte & 0x0F : lowByte >> 4;
                    int high = ((raw[128 + 32 * half + l] & 0xFF) >> (2 * quarter)) & 3;
                    int scale = raw[192 + 8 * half + l / 16 + 2 * quarter]; // signed
                    expected[e0 + e] = Float.float16ToFloat(d) * scale * ((low | high << 4) - 32);
                }
            }
        }
        return new Case(WeightMatrix.of("w", type, rows, cols, seg), expected);
    }

    /** Q4_K's 6-bit (scale, min) of sub-block j, unpacked bit by bit from the 12 scale bytes at raw[4..16). */
    private static int[] scaleMin(byte[] raw, int j) {
        int[] b = new int[12];
        for (int i = 0; i < 12; i++) {
            b[i] = raw[4 + i] & 0xFF;
        }
        if (j < 4) {
            return new int[] {b[j] & 0x3F, b[j + 4] & 0x3F};
        }
        int scale = (b[j + 4] & 0x0F) + 16 * (b[j - 4] >> 6);
        int min = (b[j + 4] >> 4) + 16 * (b[j] >> 6);
        return new int[] {scale, min};
    }

    static Case make(GgmlType type, int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        MemorySegment seg = Arena.ofAuto().allocate(type.byteSize((long) rows * cols) + 3).asSlice(3);
        if (type == GgmlType.Q4_K || type == GgmlType.Q6_K) {
            return makeSuperBlocks(type, rows, cols, rnd, seg);
        }
        float[] expected = new float[rows * cols];
        long pos = 0;
        for (int i = 0; i < rows * cols; ) {
            switch (type) {
                case F32 -> {
                    float f = (float) rnd.nextGaussian();
                    seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, pos, f);
                    expected[i++] = f;
                    pos += 4;
                }
                case F16 -> {
                    short h = Float.floatToFloat16((float) rnd.nextGaussian());
                    seg.set(I16, pos, h);
                    expected[i++] = Float.float16ToFloat(h);
                    pos += 2;
                }
                case BF16 -> {
                    int bits = Float.floatToIntBits((float) rnd.nextGaussian()) & 0xFFFF0000;
                    seg.set(I16, pos, (short) (bits >>> 16));
                    expected[i++] = Float.intBitsToFloat(bits);
                    pos += 2;
                }
                case Q8_0 -> {
                    short d = Float.floatToFloat16(0.001f + rnd.nextFloat() * 0.05f);
                    seg.set(I16, pos, d);
                    for (int j = 0; j < 32; j++) {
                        int q = rnd.nextInt(256) - 128;
                        seg.set(ValueLayout.JAVA_BYTE, pos + 2 + j, (byte) q);
                        expected[i + j] = q * Float.float16ToFloat(d);
                    }
                    i += 32;
                    pos += 34;
                }
                case Q4_0 -> {
                    short d = Float.floatToFloat16(0.01f + rnd.nextFloat() * 0.2f);
                    seg.set(I16, pos, d);
                    for (int j = 0; j < 32; j++) {
                        expected[i + j] = (rnd.nextInt(16) - 8) * Float.float16ToFloat(d);
                    }
                    // element j in the low nibble of byte j, element j + 16 in its high nibble
                    for (int j = 0; j < 16; j++) {
                        int lo = Math.round(expected[i + j] / Float.float16ToFloat(d)) + 8;
                        int hi = Math.round(expected[i + j + 16] / Float.float16ToFloat(d)) + 8;
                        seg.set(ValueLayout.JAVA_BYTE, pos + 2 + j, (byte) (lo | hi << 4));
                    }
                    i += 32;
                    pos += 18;
                }
                default -> throw new IllegalArgumentException(type.name());
            }
        }
        return new Case(WeightMatrix.of("w", type, rows, cols, seg), expected);
    }

    /** Every one of the 65536 halves (zeros, subnormals, Inf, NaN) decodes as Float.float16ToFloat. */
    @Test
    void f16DecodesEveryHalfBitForBit() {
        int cols = 65536 + 5; // a scalar tail after the vector loop
        MemorySegment seg = Arena.ofAuto().allocate(2L * cols + 1).asSlice(1);
        for (int i = 0; i < cols; i++) {
            seg.set(I16, 2L * i, (short) i);
        }
        WeightMatrix w = WeightMatrix.of("halves", GgmlType.F16, 1, cols, seg);
        float[] row = new float[cols];
        w.dequantizeRow(0, row, 0);
        for (int i = 0; i < cols; i++) {
            float expected = Float.float16ToFloat((short) i);
            if (Float.isNaN(expected)) {
                // NaN payload and quiet bit differ between the JIT's conversion and the interpreter's
                assertThat(row[i]).as("half 0x%04x", i & 0xFFFF).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(row[i])).as("half 0x%04x", i & 0xFFFF)
                        .isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    @ParameterizedTest(name = "{0} batch {1}")
    @MethodSource("cases")
    void decodesEveryRowToTheReference(Case c, int batch) {
        WeightMatrix w = c.matrix();
        float[] row = new float[w.cols() + 2];
        for (int r = 0; r < w.rows(); r++) {
            w.dequantizeRow(r, row, 1);
            for (int j = 0; j < w.cols(); j++) {
                assertThat(row[1 + j]).as("row %d col %d", r, j).isEqualTo(c.expected()[r * w.cols() + j]);
            }
        }
    }

    @ParameterizedTest(name = "{0} batch {1}")
    @MethodSource("cases")
    void matmulMatchesScalarReference(Case c, int batch) {
        WeightMatrix w = c.matrix();
        int rows = w.rows();
        int cols = w.cols();
        Random rnd = new Random(rows * 31L + cols);
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] out = new float[batch * rows + 1];
        BACKEND.matmul(w, x, 0, batch, out, 1);
        float[] scratch = new float[cols];
        // Q8_0 and Q4_0 multiply 8-bit activations, as llama.cpp does: the exact reference is the
        // product with the activations quantized and dequantized again; the float one is close.
        // F16 weights multiply the activations rounded to F16, as llama.cpp does
        boolean int8 = BACKEND.multipliesInt8(w.type());
        float[] xSeen = int8 ? roundTripThroughInt8(x) : w.type() == GgmlType.F16 ? roundTripThroughHalf(x) : x;
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                double ref = 0;
                double mag = 0;
                double refFloat = 0;
                for (int j = 0; j < cols; j++) {
                    double wj = c.expected()[r * cols + j];
                    ref += wj * xSeen[b * cols + j];
                    mag += Math.abs(wj * xSeen[b * cols + j]);
                    refFloat += wj * x[b * cols + j];
                }
                double tol = 1e-5 * mag + 1e-6;
                assertThat((double) out[1 + b * rows + r]).as("batch %d row %d", b, r).isCloseTo(ref,
                        within(tol));
                assertThat((double) out[1 + b * rows + r]).as("batch %d row %d vs float activations", b, r)
                        .isCloseTo(refFloat, within(0.02 * mag + 1e-6));
                if (b == 0) {
                    assertThat((double) w.dot(r, x, 0, scratch)).isCloseTo(refFloat, within(1e-5 * mag + 1e-6));
                }
            }
        }
    }

    /** Every value through a half and back ({@code Float.floatToFloat16}: round to nearest, ties to even). */
    private static float[] roundTripThroughHalf(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
        }
        return out;
    }

    /**
     * llama.cpp's Q8_0 activation quantization, written out in scalar double arithmetic: per block
     * of 32, d = max|x| / 127 stored as f16, q = round(x * 127 / max|x|) ties to even; returns q * d.
     */
    static float[] roundTripThroughInt8(float[] x) {
        float[] out = new float[x.length];
        for (int from = 0; from < x.length; from += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[from + j]));
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            float inverse = amax == 0 ? 0 : 127f / amax;
            for (int j = 0; j < 32; j++) {
                out[from + j] = (float) (Math.rint(x[from + j] * inverse) * d);
            }
        }
        return out;
    }

    @Test
    void batchedProductEqualsOneByOneBitForBit() {
        WeightMatrix w = make(GgmlType.Q4_0, 70, 96, 99).matrix();
        Random rnd = new Random(5);
        int batch = 7;
        float[] x = new float[batch * 96];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] together = new float[batch * 70];
        BACKEND.matmul(w, x, batch, together);
        float[] single = new float[70];
        for (int b = 0; b < batch; b++) {
            BACKEND.matmul(w, x, b * 96, 1, single, 0);
            for (int r = 0; r < 70; r++) {
                assertThat(together[b * 70 + r]).isEqualTo(single[r]);
            }
        }
    }

    @Test
    void rejectsTypesWithoutKernels() {
        MemorySegment seg = Arena.ofAuto().allocate(GgmlType.Q5_K.byteSize(256));
        assertThatThrownBy(() -> WeightMatrix.of("blk.0.attn_q.weight", GgmlType.Q5_K, 1, 256, seg))
                .isInstanceOf(UnsupportedTensorTypeException.class)
                .hasMessageContaining("blk.0.attn_q.weight").hasMessageContaining("Q5_K");
    }

    @Test
    void rejectsRowLengthsThatSplitABlock() {
        MemorySegment seg = Arena.ofAuto().allocate(1024);
        assertThatThrownBy(() -> WeightMatrix.of("w", GgmlType.Q8_0, 1, 40, seg))
                .hasMessageContaining("not a multiple");
    }

    @Test
    void rejectsTooShortData() {
        MemorySegment seg = Arena.ofAuto().allocate(10);
        assertThatThrownBy(() -> WeightMatrix.of("w", GgmlType.F32, 2, 4, seg))
                .hasMessageContaining("bytes");
    }

    @Test
    void dotGivesTheSameBitsBeforeAndAfterTheJitCompilesIt() {
        // the engine's batch invariance needs bit-identical results whenever a kernel runs:
        // results from the first (interpreted) calls must equal those after warm-up
        Random rnd = new Random(12);
        int vectors = 500;
        float[][] a = new float[vectors][77];
        float[][] b = new float[vectors][77];
        float[] cold = new float[vectors];
        for (int v = 0; v < vectors; v++) {
            for (int i = 0; i < 77; i++) {
                a[v][i] = (float) rnd.nextGaussian() * 1000;
                b[v][i] = (float) rnd.nextGaussian();
            }
            cold[v] = VectorMath.dot(a[v], 0, b[v], 0, 77);
        }
        for (int round = 0; round < 400; round++) {
            for (int v = 0; v < vectors; v++) {
                float warm = VectorMath.dot(a[v], 0, b[v], 0, 77);
                if (Float.floatToRawIntBits(warm) != Float.floatToRawIntBits(cold[v])) {
                    assertThat(warm).as("vector %d, round %d", v, round).isEqualTo(cold[v]);
                }
            }
        }
    }

    @Test
    void vectorDotHandlesEveryTailLength() {
        for (int n = 0; n < 80; n++) {
            float[] a = new float[n + 3];
            float[] b = new float[n + 5];
            double ref = 0;
            for (int i = 0; i < n; i++) {
                a[3 + i] = i * 0.5f - 7;
                b[5 + i] = 1.5f - i * 0.25f;
                ref += (double) a[3 + i] * b[5 + i];
            }
            assertThat((double) VectorMath.dot(a, 3, b, 5, n)).as("n=%d", n).isCloseTo(ref,
                    within(1e-3));
        }
    }
}
