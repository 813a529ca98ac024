package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice eval} against llama.cpp's own {@code llama-perplexity --kl-divergence} on the same text
 * (src/test/resources/eval/stories-sample.txt: 949 words that stories260K itself wrote), the same
 * derived files and the same context of 128. llama.cpp's figures were measured here with its native
 * build (llama.cpp 0.5.0, node-llama-cpp 3.22.1's source, 1 thread):
 * <pre>
 * llama-perplexity -m stories260K.gguf -f stories-sample.txt -c 128 -b 128 --kl-divergence-base base.kld
 * llama-perplexity -m stories260K-q8_0.gguf ... --kl-divergence-base base.kld --kl-divergence   (and q4_0)
 * </pre>
 */
class EvalAgainstLlamaCppTest {
    private static final double LLAMA_CPP_PPL_BASE = 3.199464;
    private static final double LLAMA_CPP_KL_Q4_0 = 0.091220;
    private static final double LLAMA_CPP_KL_Q8_0 = 0.000630;

    private static JsonNode eval(String quantized) throws Exception {
        Path models = GenerateCommandTest.shared().resolve("models");
        Path text = Path.of(EvalAgainstLlamaCppTest.class.getResource("/eval/stories-sample.txt").toURI());
        CliRun run = CliRun.of("eval", "--model", models.resolve("derived").resolve(quantized).toString(),
                "--reference", models.resolve("stories260K.gguf").toString(), "--text", text.toString(),
                "--ctx", "128", "--json");
        assertThat(run.err()).doesNotContain("error");
        return new ObjectMapper().readTree(run.out());
    }

    @Test
    void perplexityAndQ4KlAgreeWithLlamaCppWithinTenPercent() throws Exception {
        JsonNode q4 = eval("stories260K-q4_0.gguf");
        assertThat(q4.get("perplexity_reference").asDouble()).isCloseTo(LLAMA_CPP_PPL_BASE, within(0.01 * LLAMA_CPP_PPL_BASE));
        assertThat(q4.get("kl_mean").asDouble()).isCloseTo(LLAMA_CPP_KL_Q4_0, within(0.10 * LLAMA_CPP_KL_Q4_0));
    }

    /**
     * Q8_0's KL is small enough that how the activations are rounded matters as much as the weights:
     * it agrees because Sluice, like llama.cpp, quantizes activations to 8 bits before every Q8_0 and
     * Q4_0 dot product (with float activations it read about half of llama.cpp's figure).
     */
    @Test
    void q8KlAgreesWithLlamaCppWithinTenPercent() throws Exception {
        double kl = eval("stories260K-q8_0.gguf").get("kl_mean").asDouble();
        assertThat(kl).isCloseTo(LLAMA_CPP_KL_Q8_0, within(0.10 * LLAMA_CPP_KL_Q8_0));
    }
}
