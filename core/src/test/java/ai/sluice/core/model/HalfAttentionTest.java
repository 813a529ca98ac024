package ai.sluice.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * HalfAttention against llama.cpp's single-query flash attention over an F16 cache, written out
 * here one scalar step at a time (ops.cpp, ggml_compute_forward_flash_attn_ext_f16_one_chunk, for
 * heads below 32 columns): bit for bit, through the vector and the scalar value loops alike, with
 * the positions scattered over the pool as the engine's paged blocks scatter them.
 */
class HalfAttentionTest {

    private static float half(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    @ParameterizedTest(name = "head {0}, values {1}, {2} positions")
    @CsvSource({"8, 8, 1", "8, 8, 37", "16, 64, 50", "8, 72, 9", "24, 40, 120"})
    void givesLlamaCppsOnlineSoftmaxInHalfPrecisionBitForBit(int n, int vn, int len) {
        Random rnd = new Random(n * 1000L + vn * 10L + len);
        int slots = 2 * len + 3;
        int[] slotOf = new int[len];
        for (int t = 0; t < len; t++) {
            slotOf[t] = (t * 7 + 3) % slots; // scattered; made distinct below
        }
        slotOf = distinct(slotOf, slots);
        int[] mapping = slotOf;
        SlotMapping scattered = t -> mapping[t];
        float[] q = gaussian(rnd, n, 2);
        float[][] k = new float[len][];
        float[][] v = new float[len][];
        try (KvCacheMemory kv = KvCacheMemory.allocate(1, slots, n, vn, KvType.F16)) {
            for (int t = 0; t < len; t++) {
                k[t] = gaussian(rnd, n, 1.5);
                v[t] = gaussian(rnd, vn, 1);
                kv.write(0, mapping[t], k[t], 0, v[t], 0);
            }
            float scale = 1f / (float) Math.sqrt(n);
            float[] out = new float[vn + 2];
            HalfAttention.attend(kv, 0, scattered, len, 0, q, 0, n, scale, new float[len], 0, out, 1, vn);

            float[] expected = reference(q, k, v, n, vn, len, scale);
            for (int i = 0; i < vn; i++) {
                assertThat(out[1 + i]).as("output %d", i).isEqualTo(expected[i]);
            }
            assertThat(out[0]).isZero();
            assertThat(out[vn + 1]).isZero();
        }
    }

    /** llama.cpp's steps: q to F16, scores summed in double, online softmax with an F16 accumulator. */
    private static float[] reference(float[] q, float[][] k, float[][] v, int n, int vn, int len, float scale) {
        float[] acc = new float[vn];
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int t = 0; t < len; t++) {
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += half(q[i]) * half(k[t][i]);
            }
            float s = (float) dot * scale;
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
