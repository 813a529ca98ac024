package ai.sluice.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.ModelShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans for real GGUF files from ../shared/models (stories260K: 5 layers, 4 KV heads, head dim 8). */
class GgufModelsTest {
    static Path models() {
        return Path.of(System.getProperty("sluice.shared", "../../shared")).resolve("models");
    }

    @Test
    void readsTheShapeAndExactWeightBytesOfAFile() {
        Path f32 = models().resolve("stories260K.gguf");
        ModelSpec m = GgufModels.read(f32);
        assertThat(m.layers()).isEqualTo(5);
        assertThat(m.kvHeads()).isEqualTo(4);
        assertThat(m.keyLength()).isEqualTo(8);
        assertThat(m.activeParams()).isEqualTo(m.totalParams());
        assertThat(m.fileWeightBytes()).isEqualTo(m.totalParams() * 4);  // all F32
        // 2 x 5 layers x 4 KV heads x 8 x 2 bytes
        assertThat(m.kvBytesPerToken(KvPrecision.F16)).isEqualTo(640);
    }

    @Test
    void withoutAPrecisionThePlanUsesTheFilesOwnBytes() {
        ModelSpec q8 = GgufModels.read(models().resolve("derived/stories260K-q8_0.gguf"));
        Plan p = Planner.plan(new PlanRequest(q8, null, KvPrecision.F16, 512, 1,
                HardwareCatalog.builtIn().find("dev-vm"), 0.4, 36, null));
        assertThat(p.memory().weightBytes()).isEqualTo(q8.fileWeightBytes());
        assertThat(p.inputs().precision()).isEqualTo("file");
        // mostly Q8_0 (8.5 bits) with some F16/F32 tensors
        assertThat(p.inputs().bitsPerWeight()).isBetween(8.5, 16.0);
        try (GgufFile f = GgufFile.open(models().resolve("derived/stories260K-q8_0.gguf"))) {
            assertThat(p.memory().weightBytes()).isEqualTo(ModelShape.of(f).weightBytes());
        }
    }

    @Test
    void notAGgufFileIsAOneLineError(@TempDir Path dir) throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.gguf"), "not a gguf file at all");
        assertThatThrownBy(() -> GgufModels.read(junk))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith(junk.getFileName() + ": ");
        assertThatThrownBy(() -> GgufModels.read(dir.resolve("absent.gguf")))
                .hasMessageStartingWith("no such model file: ");
    }
}
