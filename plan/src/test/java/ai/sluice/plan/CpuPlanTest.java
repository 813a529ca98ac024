package ai.sluice.plan;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.tensor.KvType;
import ai.sluice.core.model.ModelShape;
import org.junit.jupiter.api.Test;

class CpuPlanTest {

    @Test
    void kvPoolAndResidentMemoryForStories260K() {
        try (GgufFile f = GgufFile.open(GgufModelsTest.models().resolve("stories260K.gguf"))) {
            ModelShape shape = ModelShape.of(f);
            CpuPlan plan = CpuPlan.of(shape, KvType.F32);
            // 2 x 5 layers x 4 KV heads x 8 x 4 bytes
            assertThat(plan.kvBytesPerToken()).isEqualTo(1280);
            assertThat(plan.kvBytes(4 * 512)).isEqualTo(2_621_440);
            assertThat(plan.weightBytes()).isEqualTo(f.tensorBytes());
            // on the CPU the overhead is the JVM's own fixed footprint, whatever the pool size
            assertThat(plan.overheadBytes(2048)).isEqualTo(plan.overheadBytes(1 << 20)).isEqualTo(200L << 20);
            assertThat(plan.residentBytes(2048)).isEqualTo(f.tensorBytes() + 2_621_440 + (200L << 20));
            assertThat(plan.describe(2048)).startsWith("plan: weights ").contains("2,048 tokens x 1,280 B, f32");
        }
    }
}
