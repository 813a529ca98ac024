package ai.sluice.core.model;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.tensor.SlotMapping;
import ai.sluice.core.tensor.KvCacheMemory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.testing.OpenModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sequences run together in one batched forward pass, on a shared pool with paged (scattered)
 * slots, give exactly the logits they give alone on a contiguous cache.
 */
class BatchInvarianceTest {
    private static final int BLOCK = 16;
    private static final int STEPS = 20;
    private static OpenModel stories;
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        stories = OpenModel.stories260K();
        model = stories.model();
    }

    @AfterAll
    static void close() {
        stories.close();
    }

    /** A paged mapping: slot = blockTable[p / 16] * 16 + p % 16. */
    record Paged(int[] blockTable) implements SlotMapping {
        @Override
        public int slot(int position) {
            return blockTable[position / BLOCK] * BLOCK + position % BLOCK;
        }
    }

    @ParameterizedTest
    @EnumSource(KvType.class)
    void batchedSequencesMatchSoloRunsExactly(KvType kvType) {
        List<OracleCase> cases = OracleCase.load("stories260K-f32kv.json");
        int n = cases.size();
        // solo: each prompt alone on its own contiguous cache
        float[][][] solo = new float[n][STEPS][];
        int[][] soloTokens = new int[n][STEPS];
        for (int s = 0; s < n; s++) {
            try (Generator g = model.newGenerator(64, kvType)) {
                float[] logits = g.prompt(cases.get(s).tokensWithBos());
                for (int step = 0; step < STEPS; step++) {
                    solo[s][step] = logits.clone();
                    soloTokens[s][step] = Greedy.argmax(logits, 0, logits.length);
                    logits = g.next(soloTokens[s][step]);
                }
            }
        }
        // together: one pool, blocks handed out interleaved and in reverse, all prompts in one call
        int blocksPerSeq = 4;
        int totalBlocks = n * blocksPerSeq;
        Paged[] maps = new Paged[n];
        for (int s = 0; s < n; s++) {
            int[] table = new int[blocksPerSeq];
            for (int b = 0; b < blocksPerSeq; b++) {
                table[b] = totalBlocks - 1 - (b * n + s);
            }
            maps[s] = new Paged(table);
        }
        int vocab = model.vocabSize();
        try (KvCacheMemory pool = KvCacheMemory.allocate(model.config().layers(), totalBlocks * BLOCK, model.config().keyDim(), model.config().valueDim(), kvType)) {
            ForwardPass pass = model.newForwardPass(5); // smaller than the prefill: exercises internal steps
            List<BatchEntry> batch = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                int[] prompt = cases.get(s).tokensWithBos();
                for (int p = 0; p < prompt.length; p++) {
                    batch.add(new BatchEntry(prompt[p], p, maps[s], p == prompt.length - 1));
                }
            }
            float[] logits = new float[n * vocab];
            assertThat(pass.forward(batch, pool, logits)).isEqualTo(n);
            int[] positions = new int[n];
            for (int s = 0; s < n; s++) {
                positions[s] = cases.get(s).tokensWithBos().length;
            }
            for (int step = 0; step < STEPS; step++) {
                batch.clear();
                for (int s = 0; s < n; s++) {
                    float[] mine = Arrays.copyOfRange(logits, s * vocab, (s + 1) * vocab);
                    assertThat(mine).as("sequence %d step %d", s, step).containsExactly(solo[s][step]);
                    batch.add(new BatchEntry(soloTokens[s][step], positions[s]++, maps[s], true));
                }
                pass.forward(batch, pool, logits);
            }
        }
    }

    @Test
    void onlyEntriesThatWantLogitsGetThem() {
        try (KvCacheMemory pool = KvCacheMemory.allocate(model.config().layers(), 8, model.config().keyDim(), model.config().valueDim(), KvType.F32)) {
            ForwardPass pass = model.newForwardPass(4);
            SlotMapping slots = new ContiguousSlots(0);
            float[] logits = pass.forward(List.of(new BatchEntry(1, 0, slots, false),
                    new BatchEntry(403, 1, slots, false), new BatchEntry(407, 2, slots, true)), pool);
            assertThat(logits).hasSize(model.vocabSize());
        }
    }

    @Test
    void rejectsTokensOutsideTheVocabulary() {
        try (KvCacheMemory pool = KvCacheMemory.allocate(model.config().layers(), 8, model.config().keyDim(), model.config().valueDim(), KvType.F32)) {
            ForwardPass pass = model.newForwardPass(4);
            assertThatThrownBy(() -> pass.forward(List.of(new BatchEntry(512, 0, new ContiguousSlots(0), true)), pool))
                    .hasMessageContaining("token id 512");
        }
    }

    @Test
    void rejectsSlotsOutsideThePool() {
        try (KvCacheMemory pool = KvCacheMemory.allocate(model.config().layers(), 8, model.config().keyDim(), model.config().valueDim(), KvType.F32)) {
            ForwardPass pass = model.newForwardPass(4);
            assertThatThrownBy(() -> pass.forward(List.of(new BatchEntry(1, 0, new ContiguousSlots(8), true)), pool))
                    .hasMessageContaining("slot 8");
        }
    }

    @Test
    void generatorRefusesToOverflowItsContext() {
        try (Generator g = model.newGenerator(3, KvType.F32)) {
            g.prompt(new int[] {1, 403});
            g.next(407);
            assertThatThrownBy(() -> g.next(261)).isInstanceOf(ContextFullException.class)
                    .hasMessageContaining("4 positions");
        }
    }

    @Test
    void poolReportsItsBytes() {
        ModelConfig c = model.config();
        try (KvCacheMemory f32 = KvCacheMemory.allocate(c.layers(), 100, c.keyDim(), c.valueDim(), KvType.F32); KvCacheMemory f16 = KvCacheMemory.allocate(c.layers(), 100, c.keyDim(), c.valueDim(), KvType.F16)) {
            assertThat(f32.byteSize()).isEqualTo(5L * 100 * (32 + 32) * 4);
            assertThat(f16.byteSize()).isEqualTo(f32.byteSize() / 2);
            assertThat(f32.bytesPerSlot()).isEqualTo(c.shape().kvBytesPerToken(4));
        }
    }
}
