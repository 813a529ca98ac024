package ai.sluice.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.testing.SharedData;
import org.junit.jupiter.api.Test;

class ModelShapeTest {

    @Test
    void readsStories260KShape() {
        try (GgufFile f = GgufFile.open(SharedData.stories260K())) {
            ModelShape s = ModelShape.of(f);
            assertThat(s.architecture()).isEqualTo("llama");
            assertThat(s.embeddingLength()).isEqualTo(64);
            assertThat(s.blockCount()).isEqualTo(5);
            assertThat(s.headCount()).isEqualTo(8);
            assertThat(s.headCountKv()).isEqualTo(4);
            assertThat(s.keyLength()).isEqualTo(8);
            assertThat(s.feedForwardLength()).isEqualTo(172);
            assertThat(s.vocabSize()).isEqualTo(512);
            // 5 layers x 4 kv heads x (8 + 8) x 2 bytes
            assertThat(s.kvBytesPerToken(2)).isEqualTo(640);
            assertThat(s.weightBytes()).isEqualTo(s.parameterCount() * 4);
        }
    }
}
