package ai.sluice.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KvCacheMemoryTest {
    private static final int KEY = 21;   // not a multiple of any vector width
    private static final int VALUE = 37; // two 16-lane vectors and a tail

    @ParameterizedTest
    @EnumSource(KvType.class)
    void storesRowsPerSlotAndLayerAndComputesWithThem(KvType type) {
        Random rnd = new Random(4);
        try (KvCacheMemory pool = KvCacheMemory.allocate(2, 5, KEY, VALUE, type)) {
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

    /** The per-head calls give the bits of the per-position ones, over scattered slots (a paged cache). */
    @ParameterizedTest
    @EnumSource(KvType.class)
    void wholeHeadCallsMatchPerPositionCallsBitForBit(KvType type) {
        Random rnd = new Random(9);
        int slotsInPool = 12;
        int[] table = {7, 2, 11, 0, 5, 9, 3};
        int[] slots = table;
        try (KvCacheMemory pool = KvCacheMemory.allocate(1, slotsInPool, KEY, VALUE, type)) {
            for (int slot = 0; slot < slotsInPool; slot++) {
                pool.write(0, slot, random(rnd, KEY), 0, random(rnd, VALUE), 0);
            }
            float[] q = random(rnd, KEY + 2);
            float[] scores = new float[table.length];
            pool.scoreKeys(0, slots, table.length, 1, q, 2, KEY - 1, 0.25f, scores);
            for (int t = 0; t < table.length; t++) {
                assertThat(scores[t]).isEqualTo(pool.dotKey(0, table[t], 1, q, 2, KEY - 1) * 0.25f);
            }
            float[] weights = random(rnd, table.length);
            float inv = 0.3f;
            float[] whole = new float[VALUE + 2];
            whole[1] = 42f; // overwritten, not added to
            pool.weightedValues(0, slots, table.length, 0, weights, inv, whole, 1, VALUE);
            float[] each = new float[VALUE + 2];
            for (int t = 0; t < table.length; t++) {
                pool.addValue(0, table[t], 0, weights[t] * inv, each, 1, VALUE);
            }
            assertThat(whole).containsExactly(each);
        }
    }

    /** A head of whole vectors (any lane count up to 16 divides 32) is scored four positions at a time: same bits. */
    @ParameterizedTest
    @EnumSource(KvType.class)
    void headsOfWholeVectorsScoreLikePerPositionCalls(KvType type) {
        Random rnd = new Random(11);
        int keyDim = 35;
        int head = 32;
        int[] table = {4, 0, 8, 2, 6, 1, 7, 3, 5};
        int[] slots = table;
        try (KvCacheMemory pool = KvCacheMemory.allocate(1, 9, keyDim, 8, type)) {
            for (int slot = 0; slot < 9; slot++) {
                pool.write(0, slot, random(rnd, keyDim), 0, random(rnd, 8), 0);
            }
            float[] q = random(rnd, head + 1);
            float[] scores = new float[table.length];
            pool.scoreKeys(0, slots, table.length, 3, q, 1, head, 0.125f, scores);
            for (int t = 0; t < table.length; t++) {
                assertThat(scores[t]).as("position %d", t).isEqualTo(pool.dotKey(0, table[t], 3, q, 1, head) * 0.125f);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(KvType.class)
    void rejectsSlotsOutsideItsCapacity(KvType type) {
        try (KvCacheMemory pool = KvCacheMemory.allocate(1, 4, 8, 8, type)) {
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
