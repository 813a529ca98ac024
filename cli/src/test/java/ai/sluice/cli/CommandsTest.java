package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect} and {@code synth} run through the real command line, on the shared model files. */
class CommandsTest {
    private static final Path MODELS = Path.of(System.getProperty("sluice.shared", "../../shared"), "models");

    @Test
    void everyCommandAnswersHelpWithItsUsage() {
        // the one-line errors point users at 'sluice <command> --help', so it must work everywhere
        for (String name : new picocli.CommandLine(new SluiceCommand()).getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            CliRun r = CliRun.of(name, "--help");
            assertThat(r.exitCode()).as(name + ": " + r.err()).isZero();
            assertThat(r.out()).as(name).startsWith("Usage: sluice " + name);
        }
    }

    @Test
    void serveNamesTheFlagInItsErrors() {
        String model = MODELS.resolve("stories260K.gguf").toString();
        CliRun blocks = CliRun.of("serve", "--model", model, "--block-size", "3", "--no-warmup");
        assertThat(blocks.exitCode()).isEqualTo(1);
        assertThat(blocks.err()).contains("--block-size must be a power of two, got 3");
        CliRun seqs = CliRun.of("serve", "--model", model, "--max-num-seqs", "0", "--no-warmup");
        assertThat(seqs.err()).contains("--max-num-seqs must be >= 1, got 0");
    }

    @Test
    void servePortInUseFailsBeforeTheWarmUp() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CliRun r = CliRun.of("serve", "--model", MODELS.resolve("stories260K.gguf").toString(),
                    "--port", Integer.toString(taken.getLocalPort()));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains(":" + taken.getLocalPort()).contains("in use").doesNotContain("warmed up");
        }
    }

    @Test
    void serveRejectsABadGenerationConfigOrChatTemplateWithOneLine(@TempDir Path dir) throws Exception {
        String model = MODELS.resolve("stories260K.gguf").toString();
        CliRun typo = CliRun.of("serve", "--model", model, "--override-generation-config", "{\"temprature\":0.5}");
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.err()).contains("--override-generation-config").contains("temprature");
        CliRun range = CliRun.of("serve", "--model", model, "--override-generation-config", "{\"top_p\":3}");
        assertThat(range.err()).contains("top_p");
        Path broken = Files.writeString(dir.resolve("broken.jinja"), "{% for m in messages %}{{ m.content }");
        CliRun template = CliRun.of("serve", "--model", model, "--chat-template", broken.toString());
        assertThat(template.exitCode()).isEqualTo(1);
        assertThat(template.err()).contains("--chat-template").doesNotContain("\tat ");
        CliRun parser = CliRun.of("serve", "--model", model, "--tool-call-parser", "xml");
        assertThat(parser.exitCode()).isEqualTo(1);
        assertThat(parser.err()).contains("--tool-call-parser").contains("hermes, llama3_json or mistral")
                .doesNotContain("\tat ");
    }

    @Test
    void inspectDescribesStories260K() {
        CliRun r = CliRun.of("inspect", MODELS.resolve("stories260K.gguf").toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("architecture    llama")
                .contains("dim 64, 5 layers, 8 heads / 4 KV heads (head dim 8), FFN 172, vocab 512, context 2048")
                .contains("parameters      292.80K (292,800)")
                .contains("tensors         48, 1.12 MiB of data")
                .contains("KV cache/token  F16 640 B, F32 1.25 KiB")
                .contains("tokenizer       llama (pre none), vocab 512, bos 1, eos 2");
    }

    @Test
    void inspectJsonCountsTensorsByType() throws Exception {
        CliRun r = CliRun.of("inspect", "--json", MODELS.resolve("derived/stories260K-q4_0.gguf").toString());
        assertThat(r.exitCode()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("architecture").asText()).isEqualTo("llama");
        assertThat(j.get("fileType").asInt()).isEqualTo(2);
        assertThat(j.get("tensorCount").asInt()).isEqualTo(48);
        assertThat(j.get("tensorTypes").get(0).get("type").asText()).isEqualTo("Q4_0");
        assertThat(j.get("tensorTypes").get(0).get("tensors").asInt()).isEqualTo(32);
        long sum = 0;
        for (JsonNode t : j.get("tensorTypes")) {
            sum += t.get("bytes").asLong();
        }
        assertThat(sum).isEqualTo(j.get("tensorBytes").asLong());
        // 5 layers x 4 KV heads x (8 + 8) x 2 bytes
        assertThat(j.get("kvCacheBytesPerToken").get("f16").asLong()).isEqualTo(640);
        assertThat(j.get("kvCacheBytesPerToken").get("f32").asLong()).isEqualTo(1280);
        assertThat(j.get("shape").get("headCountKv").asInt()).isEqualTo(4);
    }

    @Test
    void inspectWorksOnVocabOnlyFiles() throws Exception {
        CliRun r = CliRun.of("inspect", "--json", "--metadata",
                MODELS.resolve("tokenizer-tests/ggml-vocab-llama-spm.gguf").toString());
        assertThat(r.exitCode()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("tensorCount").asInt()).isZero();
        assertThat(j.get("parameters").asLong()).isZero();
        assertThat(j.get("tokenizer").get("model").asText()).isEqualTo("llama");
        assertThat(j.get("tokenizer").get("vocabSize").asInt()).isEqualTo(32000);
        assertThat(j.get("metadata").get("tokenizer.ggml.tokens").asText()).isEqualTo("[STRING x 32000]");

        CliRun gemma = CliRun.of("inspect", MODELS.resolve("tokenizer-tests/ggml-vocab-gemma-4.gguf").toString());
        assertThat(gemma.exitCode()).isZero();
        assertThat(gemma.out()).contains("architecture    gemma4").contains("shape           (unknown: ");
    }

    @Test
    void inspectRejectsANonGgufFileWithOneLine() {
        CliRun r = CliRun.of("inspect", MODELS.resolve("README.md").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("sluice: error: README.md: bad magic 0x68732023: not a GGUF file"
                + System.lineSeparator());
    }

    @Test
    void synthWritesAModelThatInspectDescribes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("m.gguf");
        CliRun r = CliRun.of("synth", "--shape", "110m", "--type", "q4_0", "--out", out.toString(), "--seed", "3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("random-weight llama, shape 110m").contains("Q4_0");
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q4_0);
        }
        JsonNode j = new ObjectMapper().readTree(CliRun.of("inspect", "--json", out.toString()).out());
        assertThat(j.get("shape").get("embeddingLength").asInt()).isEqualTo(768);
        assertThat(j.get("fileType").asInt()).isEqualTo(2);
        // 12 layers x 12 KV heads x (64 + 64) x 2 bytes
        assertThat(j.get("kvCacheBytesPerToken").get("f16").asLong()).isEqualTo(36864);
    }

    @Test
    void synthRejectsUnknownShapeAndTypeWithOneLine(@TempDir Path dir) {
        CliRun shape = CliRun.of("synth", "--shape", "70b", "--type", "q4_0", "--out", dir.resolve("x.gguf").toString());
        assertThat(shape.exitCode()).isEqualTo(1);
        assertThat(shape.err()).startsWith("sluice: error: unknown shape '70b'").hasLineCount(1);
        CliRun type = CliRun.of("synth", "--shape", "1b", "--type", "q5_k", "--out", dir.resolve("x.gguf").toString());
        assertThat(type.err()).startsWith("sluice: error: unknown type 'q5_k'").hasLineCount(1);
        assertThat(dir.resolve("x.gguf")).doesNotExist();
    }
}
