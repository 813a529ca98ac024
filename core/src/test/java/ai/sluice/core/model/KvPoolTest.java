package ai.sluice.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KvPoolTest {
    private static final int KEY = 21;   // not a multiple of any vector width
    private static final int VALUE = 37; // two 16-lane vectors and a tail

    @ParameterizedTest
    @EnumSource(KvType.class)
    void storesRowsPerSlotAndLayerAndComputesWithThem(KvType type) {
        Random rnd = new Random(4);
        try (KvPool pool = KvPool.allocate(2, 5, KEY, VALUE, type)) {
            float[] k = random(rnd, KEY);
            float[] v = random(rnd, VALUE);
            pool.write(1, 3, k, 0, v, 0);
            float[] rk = new float[KEY];
            float[] rv = new float[VALUE];
            pool.readKey(1, 3, rk, 0);
            pool.readValue(1, 3, rv, 0);
            float tol = type == KvType.F32 ? 0f : 2e-3f; // F16 rounds on write
            for (int i = 0; i < KEY; i++) {
                assertThat(rk[i]).isCloseTo(k[i], within(tol));
            }
            for (int i = 0; i < VALUE; i++) {
                assertThat(rv[i]).isCloseTo(v[i], within(tol));
            }
            // other slots and layers untouched
            pool.readKey(0, 3, rk, 0);
            assertThat(rk).containsOnly(0f);

            float[] q = random(rnd, KEY + 4);
            for (int off : new int[] {0, 3}) {
                int n = KEY - off;
                double ref = 0;
                pool.readKey(1, 3, rk, 0);
                for (int i = 0; i < n; i++) {
                    ref += (double) q[2 + i] * rk[off + i];
                }
                assertThat((double) pool.dotKey(1, 3, off, q, 2, n)).isCloseTo(ref, within(1e-5));
            }
            float[] acc = new float[VALUE + 1];
            acc[1] = 1f;
            pool.addValue(1, 3, 0, 0.5f, acc, 1, VALUE);
            pool.readValue(1, 3, rv, 0);
            assertThat(acc[1]).isCloseTo(1f + 0.5f * rv[0], within(1e-6f));
            for (int i = 1; i < VALUE; i++) {
                assertThat(acc[1 + i]).as("value %d", i).isCloseTo(0.5f * rv[i], within(1e-6f));
            }

            pool.copySlot(3, 0);
            float[] copied = new float[KEY];
            pool.readKey(1, 0, copied, 0);
            pool.readKey(1, 3, rk, 0);
            assertThat(copied).containsExactly(rk);
        }
    }

    @ParameterizedTest
    @EnumSource(KvType.class)
    void rejectsSlotsOutsideItsCapacity(KvType type) {
        try (KvPool pool = KvPool.allocate(1, 4, 8, 8, type)) {
            assertThatThrownBy(() -> pool.write(0, 4, new float[8], 0, new float[8], 0))
                    .hasMessageContaining("slot 4").hasMessageContaining("4 slots");
            assertThatThrownBy(() -> pool.copySlot(-1, 0)).hasMessageContaining("slot -1");
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) rnd.nextGaussian();
        }
        return f;
    }
}
