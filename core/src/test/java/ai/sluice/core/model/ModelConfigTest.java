package ai.sluice.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufValue;
import ai.sluice.core.gguf.GgufWriter;
import ai.sluice.core.testing.SharedData;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

    @Test
    void readsStories260K() {
        try (GgufFile file = GgufFile.open(SharedData.stories260K())) {
            ModelConfig c = ModelConfig.of(file);
            assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
            assertThat(c.ropeType()).isEqualTo(RopeType.NORMAL);
            assertThat(c.ropeBase()).isEqualTo(10000f);
            assertThat(c.ropeDims()).isEqualTo(8);
            assertThat(c.ropeScale()).isEqualTo(1f);
            assertThat(c.rmsEps()).isEqualTo(1e-5f);
            assertThat(c.queryDim()).isEqualTo(64);
            assertThat(c.keyDim()).isEqualTo(32);
            assertThat(c.valueDim()).isEqualTo(32);
            assertThat(c.vocabSize()).isEqualTo(512);
        }
    }

    @Test
    void aScalingFactorWithoutATypeIsLinear(@TempDir Path dir) {
        Map<String, GgufValue> md = base("qwen2");
        md.put("qwen2.rope.scaling.factor", GgufValue.ofFloat32(4f));
        ModelConfig c = read(dir, md);
        assertThat(c.ropeScale()).isEqualTo(4f);
        assertThat(c.ropeType()).isEqualTo(RopeType.NEOX);
    }

    @Test
    void readsTheOlderScaleLinearKey(@TempDir Path dir) {
        Map<String, GgufValue> md = base("llama");
        md.put("llama.rope.scale_linear", GgufValue.ofFloat32(2f));
        assertThat(read(dir, md).ropeScale()).isEqualTo(2f);
    }

    @Test
    void refusesYarnScalingByName(@TempDir Path dir) {
        Map<String, GgufValue> md = base("qwen3");
        md.put("qwen3.rope.scaling.type", GgufValue.ofString("yarn"));
        md.put("qwen3.rope.scaling.factor", GgufValue.ofFloat32(4f));
        assertThatThrownBy(() -> read(dir, md)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("'yarn'");
    }

    @Test
    void refusesHeadCountsThatDoNotGroup(@TempDir Path dir) {
        Map<String, GgufValue> md = base("llama");
        md.put("llama.attention.head_count_kv", GgufValue.ofUInt32(3));
        assertThatThrownBy(() -> read(dir, md)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("8 / 3");
    }

    private static Map<String, GgufValue> base(String arch) {
        Map<String, GgufValue> md = new LinkedHashMap<>();
        md.put("general.architecture", GgufValue.ofString(arch));
        md.put(arch + ".embedding_length", GgufValue.ofUInt32(64));
        md.put(arch + ".block_count", GgufValue.ofUInt32(2));
        md.put(arch + ".attention.head_count", GgufValue.ofUInt32(8));
        md.put(arch + ".attention.head_count_kv", GgufValue.ofUInt32(4));
        return md;
    }

    private static ModelConfig read(Path dir, Map<String, GgufValue> md) {
        Path path = dir.resolve("m.gguf");
        GgufWriter.write(path, md, List.of());
        try (GgufFile file = GgufFile.open(path)) {
            return ModelConfig.of(file);
        }
    }
}
