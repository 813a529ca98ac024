package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.quant.eval.LogitsSource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {
    @TempDir
    Path tmp;

    /**
     * A stand-in for the models until the forward pass is wired: bytes are tokens (vocabulary 256, BOS 1), and a
     * model predicts "the next byte is the current one plus 1" with a confidence read from its file name.
     */
    private static final class SuccessorModels implements EvalModels {
        final List<Path> opened = new ArrayList<>();
        final List<Path> closed = new ArrayList<>();

        @Override
        public EvalModel open(Path gguf) {
            opened.add(gguf);
            float sharpness = Float.parseFloat(gguf.getFileName().toString().replace(".gguf", ""));
            return new EvalModel() {
                @Override
                public LogitsSource logits() {
                    return tokens -> {
                        float[][] out = new float[tokens.length][256];
                        for (int i = 0; i < tokens.length; i++) {
                            out[i][(tokens[i] + 1) & 0xff] = sharpness;
                        }
                        return out;
                    };
                }

                @Override
                public int[] tokenize(String text) {
                    return text.chars().toArray();
                }

                @Override
                public int bosToken() {
                    return 1;
                }

                @Override
                public int vocabularySize() {
                    return 256;
                }

                @Override
                public void close() {
                    closed.add(gguf);
                }
            };
        }
    }

    private record Result(int exitCode, String out, String err) {
    }

    private Result run(SuccessorModels models, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new EvalCommand(models));
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path file(String name) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, name);
        return p;
    }

    private Path text() throws Exception {
        return Files.writeString(tmp.resolve("abc.txt"), "abcdefghijklmnopqrstuvwxyz".repeat(20)); // 520 tokens
    }

    @Test
    void identicalModelsAreAGo() throws Exception {
        SuccessorModels models = new SuccessorModels();
        Result r = run(models, "--model", file("8.gguf").toString(), "--reference", file("8.gguf").toString(),
                "--text", text().toString(), "--ctx", "64");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("8 windows of 64 tokens, 248 positions scored")
                .contains("top-1 agreement   100.00%")
                .contains("verdict: GO (mean KL 0.00 <= 0.0100, top-1 agreement 100.00% >= 95.00%)");
        assertThat(models.closed).containsExactlyInAnyOrderElementsOf(models.opened);
    }

    @Test
    void aBlurrierModelIsANoGoWithExitStatus3AndJsonFigures() throws Exception {
        Result r = run(new SuccessorModels(), "--model", file("2.gguf").toString(),
                "--reference", file("9.gguf").toString(), "--text", text().toString(), "--ctx", "32", "--json");

        assertThat(r.exitCode()).isEqualTo(EvalCommand.EXIT_NO_GO);
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("verdict").asText()).isEqualTo("NO-GO");
        assertThat(json.get("windows").asInt()).isEqualTo(16);
        assertThat(json.get("positions").asInt()).isEqualTo(16 * 15);
        assertThat(json.get("kl_mean").asDouble()).isGreaterThan(0.01);
        assertThat(json.get("top1_agreement").asDouble()).isEqualTo(1.0);
        assertThat(json.get("perplexity_quantized").asDouble())
                .isGreaterThan(json.get("perplexity_reference").asDouble());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void loosenedThresholdsCanTurnANoGoIntoAGo() throws Exception {
        Result r = run(new SuccessorModels(), "--model", file("7.gguf").toString(),
                "--reference", file("9.gguf").toString(), "--text", text().toString(), "--ctx", "32",
                "--max-kl", "1", "--min-top1", "90");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("verdict: GO");
    }

    @Test
    void aFileThatIsNotGgufIsAOneLineError() throws Exception {
        CliRun r = CliRun.of("eval", "--model", file("1.gguf").toString(), "--reference", file("2.gguf").toString(),
                "--text", text().toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("sluice: error: ").contains("not a GGUF file").hasLineCount(1);
    }

    @Test
    void missingFilesAreOneLineErrors() throws Exception {
        CliRun r = CliRun.of("eval", "--model", tmp.resolve("none.gguf").toString(),
                "--reference", file("2.gguf").toString(), "--text", text().toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("sluice: error: file not found: ").endsWith("none.gguf\n");
    }
}
