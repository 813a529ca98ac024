package ai.sluice.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.nativelib.NativeLevel;
import ai.sluice.core.testing.NativeKernels;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HalfAttention against llama.cpp's single-query flash attention over an F16 cache, written out
 * here one scalar step at a time (ops.cpp, ggml_compute_forward_flash_attn_ext_f16_one_chunk):
 * bit for bit, through the vector and the scalar value loops alike, with the positions scattered
 * over the pool as the engine's paged blocks scatter them. From 32 columns the scores follow
 * Sluice's lane order (one FMA chain per lane, lanes added in order), written out the same way for
 * any lane count; both loops are held to it: Java's at its own width, the native ones at 8 and 16
 * lanes and at every instruction-set level this CPU runs.
 */
class HalfAttentionTest {

    /** Head, values, positions: heads below and from 32 columns, tails past whole vectors, values below 8. */
    private static final int[][] SHAPES = {{8, 8, 1}, {8, 8, 37}, {16, 64, 50}, {8, 72, 9}, {24, 40, 120}, {32, 32, 3},
            {64, 64, 200}, {72, 136, 33}, {128, 128, 300}, {40, 7, 5}, {48, 200, 64}, {96, 3, 17}};

    static Stream<Arguments> shapes() {
        return Arrays.stream(SHAPES).map(s -> Arguments.of(s[0], s[1], s[2]));
    }

    @ParameterizedTest(name = "head {0}, values {1}, {2} positions")
    @MethodSource("shapes")
    void givesLlamaCppsOnlineSoftmaxInHalfPrecisionBitForBit(int n, int vn, int len) {
        assertSameBits(JavaAttentionLoops.INSTANCE, JavaAttentionLoops.scoreLanes(), n, vn, len);
    }

    @ParameterizedTest(name = "native at {0}, {1} lanes")
    @CsvSource({"avx2, 0", "avx2, 8", "avx2, 16", "avx-vnni, 16", "avx512-vnni, 8", "avx512-vnni, 16"})
    void nativeLoopsGiveTheSameBits(String levelName, int lanes) {
        NativeLevel level = NativeKernels.requireLevel(levelName);
        NativeAttentionLoops loops = NativeAttentionLoops.at(level, lanes);
        for (int[] shape : SHAPES) {
            assertSameBits(loops, lanes, shape[0], shape[1], shape[2]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"java", "native"})
    void aRunningAccumulatorPastHalfPrecisionsRangeOverflowsAsAHalfDoes(String path) {
        // values near the largest half (65504) with equal scores: the unnormalized sum passes it after
        // two positions and, stored as a half (llama.cpp's accumulator), is infinite from then on
        HalfAttentionLoops loops = path.equals("java") ? JavaAttentionLoops.INSTANCE
                : NativeAttentionLoops.at(NativeKernels.requireLibrary().cpuLevel(), JavaAttentionLoops.scoreLanes());
        int n = 64;
        int vn = 20;
        int len = 5;
        try (KvCacheMemory kv = KvCacheMemory.allocate(1, len, n, vn, KvType.F16)) {
            float[] v = new float[vn];
            Arrays.fill(v, 60000f);
            v[3] = -60000f;
            for (int t = 0; t < len; t++) {
                kv.write(0, t, new float[n], 0, v, 0);
            }
            float[] out = new float[vn];
            HalfAttention.attend(loops, kv, 0, new int[] {0, 1, 2, 3, 4}, len, 0, new float[n], 0, n, 0.125f, new float[len], 0, out, 0, vn);
            for (int i = 0; i < vn; i++) {
                assertThat(out[i]).as("output %d", i).isEqualTo(i == 3 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
            }
        }
    }

    private static void assertSameBits(HalfAttentionLoops loops, int lanes, int n, int vn, int len) {
        Random rnd = new Random(n * 1000L + vn * 10L + len);
        int slots = 2 * len + 3;
        int[] slotOf = new int[len];
        for (int t = 0; t < len; t++) {
            slotOf[t] = (t * 7 + 3) % slots; // scattered; made distinct below
        }
        int[] scattered = distinct(slotOf, slots);
        float[] q = gaussian(rnd, n, 2);
        float[][] k = new float[len][];
        float[][] v = new float[len][];
        // the head sits past another one in each row, as every head but the first does
        int kOff = 8;
        int vOff = 16;
        try (KvCacheMemory kv = KvCacheMemory.allocate(1, slots, kOff + n, vOff + vn, KvType.F16)) {
            for (int t = 0; t < len; t++) {
                k[t] = gaussian(rnd, n, 1.5);
                v[t] = gaussian(rnd, vn, 1);
                float[] kRow = new float[kOff + n];
                float[] vRow = new float[vOff + vn];
                System.arraycopy(k[t], 0, kRow, kOff, n);
                System.arraycopy(v[t], 0, vRow, vOff, vn);
                kv.write(0, scattered[t], kRow, 0, vRow, 0);
            }
            float scale = 1f / (float) Math.sqrt(n);
            float[] out = new float[vn + 2];
            HalfAttention.attend(loops, kv, 0, scattered, len, kOff, q, 0, n, scale, new float[len], vOff, out, 1, vn);

            float[] expected = reference(q, k, v, n, vn, len, scale, lanes);
            for (int i = 0; i < vn; i++) {
                assertThat(Float.floatToRawIntBits(out[1 + i])).as("%s, head %d, values %d, %d positions: output %d (%s vs %s)",
                        loops, n, vn, len, i, out[1 + i], expected[i]).isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
            assertThat(out[0]).isZero();
            assertThat(out[vn + 1]).isZero();
        }
    }

    /**
     * llama.cpp's steps: q to F16, scores summed in double (below 32 columns or lanes 0) or in
     * {@code lanes} FMA chains, online softmax with an F16 accumulator.
     */
    private static float[] reference(float[] q, float[][] k, float[][] v, int n, int vn, int len, float scale, int lanes) {
        float[] acc = new float[vn];
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int t = 0; t < len; t++) {
            float s = dot(q, k[t], n, lanes) * scale;
            float ms = 1f;
            float vs = 1f;
            if (s > max) {
                float old = max;
                max = s;
                ms = (float) Math.exp(old - max);
                for (int i = 0; i < vn; i++) {
                    acc[i] = half(acc[i] * ms);
                }
            } else {
                vs = (float) Math.exp(s - max);
            }
            for (int i = 0; i < vn; i++) {
                acc[i] = half(Math.fma(half(v[t][i]), vs, acc[i]));
            }
            sum = sum * ms + vs;
        }
        float inv = 1f / sum;
        float[] out = new float[vn];
        for (int i = 0; i < vn; i++) {
            out[i] = acc[i] * inv;
        }
        return out;
    }

    private static float dot(float[] q, float[] k, int n, int lanes) {
        if (n < 32 || lanes == 0) {
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += half(q[i]) * half(k[i]);
            }
            return (float) dot;
        }
        float[] lane = new float[lanes];
        int whole = n / lanes * lanes;
        for (int i = 0; i < whole; i++) {
            lane[i % lanes] = Math.fma(half(q[i]), half(k[i]), lane[i % lanes]);
        }
        float sum = lane[0];
        for (int j = 1; j < lanes; j++) {
            sum += lane[j];
        }
        for (int i = whole; i < n; i++) {
            sum += half(q[i]) * half(k[i]);
        }
        return sum;
    }

    private static float half(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    private static int[] distinct(int[] wanted, int slots) {
        boolean[] used = new boolean[slots];
        int[] out = wanted.clone();
        for (int t = 0; t < out.length; t++) {
            while (used[out[t]]) {
                out[t] = (out[t] + 1) % slots;
            }
            used[out[t]] = true;
        }
        return out;
    }

    private static float[] gaussian(Random rnd, int n, double sd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * sd);
        }
        return x;
    }
}
