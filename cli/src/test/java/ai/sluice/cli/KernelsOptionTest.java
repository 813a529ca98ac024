package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.nativelib.NativeLibrary;
import ai.sluice.core.nativelib.NativeUnavailableException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code --kernels} on the commands that run a model: java and native generate the same tokens from
 * the Q8_0 and Q4_0 models (the kernels give the same bits), bench-engine says which ran, and a
 * value that is not a kernel kind is one line. (core's NativeKernels makes a missing library fail
 * where gcc exists; here it only skips the native half, saying why.)
 */
class KernelsOptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void requireNative() {
        try {
            NativeLibrary.load();
        } catch (NativeUnavailableException e) {
            Assumptions.abort("native kernels not built here, Java path only: " + e.getMessage());
        }
    }

    @Test
    void javaAndNativeGenerateTheSameTokens() throws Exception {
        requireNative();
        for (String type : new String[] {"q8_0", "q4_0"}) {
            String model = GenerateCommandTest.shared().resolve("models/derived/stories260K-" + type + ".gguf").toString();
            String[] common = {"generate", "--model", model, "--prompt", "Lily went to the park", "--max-tokens", "24",
                    "--temperature", "0", "--ignore-eos", "--json", "--kernels"};
            JsonNode java = JSON.readTree(GenerateCommandTest.run(concat(common, "java")));
            JsonNode nat = JSON.readTree(GenerateCommandTest.run(concat(common, "native")));
            assertThat(nat.get("tokens")).as(type).isEqualTo(java.get("tokens"));
            assertThat(nat.get("text").asText()).as(type).isEqualTo(java.get("text").asText()).isNotBlank();
        }
    }

    @Test
    void benchEngineReportsTheKernelsThatRan() throws Exception {
        String model = GenerateCommandTest.shared().resolve("models/derived/stories260K-q8_0.gguf").toString();
        JsonNode java = JSON.readTree(GenerateCommandTest.run("bench-engine", "--model", model, "--prompt", "8",
                "--decode", "4", "--runs", "1", "--bandwidth-mib", "0", "--json", "--kernels", "java", "--threads", "1"));
        assertThat(java.get("kernels").asText()).isEqualTo("java");
        requireNative();
        JsonNode nat = JSON.readTree(GenerateCommandTest.run("bench-engine", "--model", model, "--prompt", "8",
                "--decode", "4", "--runs", "1", "--bandwidth-mib", "0", "--json", "--kernels", "native", "--threads", "1"));
        assertThat(nat.get("kernels").asText()).startsWith("native ");
    }

    @Test
    void anUnknownKernelKindIsOneLine() {
        CliRun r = CliRun.of("generate", "--model", "x.gguf", "--kernels", "cuda");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("sluice: error: ").contains("--kernels").contains("cuda");
    }

    private static String[] concat(String[] a, String last) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = last;
        return out;
    }
}
