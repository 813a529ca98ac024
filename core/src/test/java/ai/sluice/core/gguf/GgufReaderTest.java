package ai.sluice.core.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.testing.SharedData;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufReaderTest {

    @Test
    void readsStories260KHeaderMetadataAndTensors() {
        try (GgufFile f = GgufFile.open(SharedData.stories260K())) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.architecture()).isEqualTo("llama");
            assertThat(f.tensors()).hasSize(48);
            assertThat(f.metadata().getInt("llama.embedding_length")).isEqualTo(64);
            assertThat(f.metadata().getInt("llama.block_count")).isEqualTo(5);
            assertThat(f.metadata().getStringArray("tokenizer.ggml.tokens")).hasSize(512);
            GgufTensorInfo embd = f.tensor("token_embd.weight");
            assertThat(embd.type()).isEqualTo(GgmlType.F32);
            assertThat(embd.shape()).containsExactly(64, 512);
            assertThat(f.tensorData(embd).byteSize()).isEqualTo(64L * 512 * 4);
        }
    }

    @Test
    void writerRoundTripsMetadataAndTensorBytes(@TempDir Path dir) {
        Path copy = dir.resolve("copy.gguf");
        try (GgufFile f = GgufFile.open(SharedData.stories260K())) {
            List<GgufWriter.TensorSpec> specs = new ArrayList<>();
            for (GgufTensorInfo t : f.tensors().values()) {
                MemorySegment src = f.tensorData(t);
                specs.add(new GgufWriter.TensorSpec(t.name(), t.type(), t.shape(), dst -> dst.copyFrom(src)));
            }
            GgufWriter.write(copy, f.metadata().asMap(), specs);
            try (GgufFile g = GgufFile.open(copy)) {
                assertThat(g.metadata().keys()).containsExactlyElementsOf(f.metadata().keys());
                assertThat(g.metadata().getFloatArray("tokenizer.ggml.scores"))
                        .containsExactly(f.metadata().getFloatArray("tokenizer.ggml.scores"));
                for (GgufTensorInfo t : f.tensors().values()) {
                    GgufTensorInfo u = g.tensor(t.name());
                    assertThat(u.shape()).containsExactly(t.shape());
                    assertThat(g.tensorData(u).mismatch(f.tensorData(t))).isEqualTo(-1L);
                }
                assertThat(g.tensorData("output_norm.weight").getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 3))
                        .isEqualTo(f.tensorData("output_norm.weight").getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 3));
            }
        }
    }
}
