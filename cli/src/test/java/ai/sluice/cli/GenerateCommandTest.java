package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** The command line against llama.cpp's greedy continuations (../shared/oracle). */
class GenerateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path shared() {
        return Path.of(System.getProperty("sluice.shared", "../../shared")).toAbsolutePath().normalize();
    }

    /** Runs the CLI in-process; returns stdout, or fails with stderr. */
    static String run(String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isZero();
        return r.out();
    }

    static int[] ids(JsonNode node) throws Exception {
        JsonNode array = node.isTextual() ? JSON.readTree(node.asText()) : node;
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    @Test
    void greedyGenerateReproducesLlamaCppForEveryOraclePrompt() throws Exception {
        Path model = shared().resolve("models/stories260K.gguf");
        JsonNode oracle = JSON.readTree(shared().resolve("oracle/stories260K.json").toFile());
        List<String> checked = new ArrayList<>();
        for (JsonNode c : oracle.get("cases")) {
            String prompt = c.get("prompt").asText();
            JsonNode result = JSON.readTree(run("generate", "--model", model.toString(), "--prompt", prompt,
                    "--max-tokens", "32", "--temperature", "0", "--ignore-eos", "--json"));
            assertThat(ids(result.get("prompt_tokens"))).as(prompt).containsExactly(ids(c.get("tokens_with_bos")));
            assertThat(ids(result.get("tokens"))).as(prompt).containsExactly(ids(c.get("generated_ids")));
            assertThat(result.get("text").asText()).as(prompt).isEqualTo(c.get("generated_text").asText());
            checked.add(prompt);
        }
        assertThat(checked).hasSize(oracle.get("cases").size()).hasSizeGreaterThanOrEqualTo(6);
    }

    @Test
    void sameSeedSameTextDifferentSeedDifferentText() {
        String model = shared().resolve("models/stories260K.gguf").toString();
        String a = run("generate", "--model", model, "--prompt", "Lily", "--max-tokens", "40", "--seed", "7",
                "--temperature", "1.0", "--json");
        String b = run("generate", "--model", model, "--prompt", "Lily", "--max-tokens", "40", "--seed", "7",
                "--temperature", "1.0", "--json");
        String c = run("generate", "--model", model, "--prompt", "Lily", "--max-tokens", "40", "--seed", "8",
                "--temperature", "1.0", "--json");
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void tokenizePrintsIdsWithAndWithoutBos() {
        String model = shared().resolve("models/stories260K.gguf").toString();
        assertThat(run("tokenize", "--model", model, "The cat").trim()).isEqualTo("[1,291,280,294]");
        assertThat(run("tokenize", "--model", model, "--no-bos", "The cat").trim()).isEqualTo("[291,280,294]");
    }

    @Test
    void badInputIsOneLineErrorAndExitCodeOne() {
        CliRun r = CliRun.of("generate", "--model", "/no/such/model.gguf");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("sluice: error: ").contains("no such file");
    }
}
