package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice eval} on the real quantized copies of stories260K against the F32 original. */
class EvalOnRealModelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Real story text: llama.cpp's own continuations from the oracle, one per line. */
    private static Path storyText(Path dir) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String file : new String[] {"stories260K.json", "stories260K-f32kv.json"}) {
            JsonNode oracle = JSON.readTree(GenerateCommandTest.shared().resolve("oracle").resolve(file).toFile());
            for (JsonNode c : oracle.get("cases")) {
                text.append(c.get("full_text").asText()).append('\n');
            }
        }
        return Files.writeString(dir.resolve("stories.txt"), text);
    }

    private static JsonNode eval(String quantized, Path text) throws Exception {
        Path models = GenerateCommandTest.shared().resolve("models");
        CliRun run = CliRun.of("eval", "--model", models.resolve("derived").resolve(quantized).toString(),
                "--reference", models.resolve("stories260K.gguf").toString(), "--text", text.toString(),
                "--ctx", "64", "--json");
        assertThat(run.err()).doesNotContain("error");
        return JSON.readTree(run.out());
    }

    @Test
    void q8IsNearLosslessAndQ4IsMeasurablyWorse(@TempDir Path dir) throws Exception {
        Path text = storyText(dir);
        JsonNode q8 = eval("stories260K-q8_0.gguf", text);
        JsonNode q4 = eval("stories260K-q4_0.gguf", text);

        assertThat(q8.get("verdict").asText()).isEqualTo("GO");
        assertThat(q8.get("kl_mean").asDouble()).isBetween(1e-5, 2e-3);
        assertThat(q8.get("top1_agreement").asDouble()).isGreaterThan(0.95);

        assertThat(q4.get("verdict").asText()).isEqualTo("NO-GO");
        assertThat(q4.get("kl_mean").asDouble()).isBetween(0.02, 0.4);
        assertThat(q4.get("kl_mean").asDouble()).isGreaterThan(20 * q8.get("kl_mean").asDouble());
        assertThat(q4.get("perplexity_quantized").asDouble()).isGreaterThan(q4.get("perplexity_reference").asDouble());
        // The reference model is the same file in both runs.
        assertThat(q4.get("perplexity_reference").asDouble()).isCloseTo(q8.get("perplexity_reference").asDouble(), org.assertj.core.data.Offset.offset(1e-6));
    }
}
