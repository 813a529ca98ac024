package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufTensorInfo;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    private static final Path SHARED = Path.of(System.getProperty("sluice.shared", "../shared")).toAbsolutePath();
    private static final Path STORIES = SHARED.resolve("models/stories260K.gguf");

    @TempDir
    Path tmp;

    private static Path derived(String type) {
        return SHARED.resolve("models/derived/stories260K-" + type + ".gguf");
    }

    /** Tensors with the same type and bytes in both files. */
    private static int sameTensors(Path a, Path b) {
        int same = 0;
        try (GgufFile fa = GgufFile.open(a); GgufFile fb = GgufFile.open(b)) {
            for (GgufTensorInfo ta : fa.tensors().values()) {
                GgufTensorInfo tb = fb.tensor(ta.name());
                if (ta.type() == tb.type() && Arrays.equals(fa.tensorData(ta).toArray(ValueLayout.JAVA_BYTE),
                        fb.tensorData(tb).toArray(ValueLayout.JAVA_BYTE))) {
                    same++;
                }
            }
        }
        return same;
    }

    @Test
    void quantizesStoriesToQ8_0AndQ4_0LikeTheDerivedFiles() {
        for (String type : new String[] {"q8_0", "q4_0"}) {
            Path out = tmp.resolve(type + ".gguf");
            CliRun run = CliRun.of("quantize", STORIES.toString(), out.toString(), "--type", type);

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("as " + type).contains("tensors       48")
                    .contains("kept at F16, rows not a multiple of 32: blk.0.ffn_down.weight (row 172)");
            try (GgufFile f = GgufFile.open(out)) {
                GgmlType expected = type.equals("q8_0") ? GgmlType.Q8_0 : GgmlType.Q4_0;
                assertThat(f.tensor("blk.2.ffn_up.weight").type()).isEqualTo(expected);
                assertThat(f.tensor("blk.2.ffn_down.weight").type()).isEqualTo(GgmlType.F16);
                assertThat(f.tensor("output_norm.weight").type()).isEqualTo(GgmlType.F32);
                assertThat(f.metadata().getInt("general.file_type")).isEqualTo(type.equals("q8_0") ? 7 : 2);
            }
            assertThat(out.toFile().length()).isEqualTo(derived(type).toFile().length());
            assertThat(sameTensors(out, derived(type))).isEqualTo(48);
        }
    }

    @Test
    void keepOutputF16ChangesOnlyTheOutputTensor() {
        Path out = tmp.resolve("keep.gguf");
        CliRun run = CliRun.of("quantize", STORIES.toString(), out.toString(), "--type", "q4_0", "--keep-output-f16");

        assertThat(run.exitCode()).as(run.err()).isZero();
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensor("output.weight").type()).isEqualTo(GgmlType.F16);
        }
        assertThat(sameTensors(out, derived("q4_0"))).isEqualTo(47);
    }

    @Test
    void f16TargetConvertsEveryMatrix() {
        Path out = tmp.resolve("f16.gguf");
        CliRun run = CliRun.of("quantize", STORIES.toString(), out.toString(), "--type", "F16");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).doesNotContain("kept at F16");
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.F16);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.F16);
            assertThat(f.metadata().getInt("general.file_type")).isEqualTo(1);
        }
    }

    @Test
    void badInputsGetOneLineErrors() throws Exception {
        Path existing = tmp.resolve("exists.gguf");
        Files.writeString(existing, "x");

        CliRun exists = CliRun.of("quantize", STORIES.toString(), existing.toString(), "--type", "q8_0");
        CliRun quantized = CliRun.of("quantize", derived("q4_0").toString(), tmp.resolve("a.gguf").toString(),
                "--type", "q8_0");
        CliRun unknownType = CliRun.of("quantize", STORIES.toString(), tmp.resolve("b.gguf").toString(), "--type", "q3_k");
        CliRun missing = CliRun.of("quantize", tmp.resolve("nope.gguf").toString(), tmp.resolve("c.gguf").toString(),
                "--type", "q8_0");

        assertThat(exists.err()).isEqualTo("sluice: error: output exists: " + existing + " (use --force to replace it)\n");
        assertThat(quantized.err()).startsWith("sluice: error: input tensor 'token_embd.weight' is already Q4_0");
        assertThat(unknownType.err()).isEqualTo(
                "sluice: error: unknown quantization type 'q3_k'; use one of q8_0, q4_0, f16\n");
        assertThat(missing.err()).startsWith("sluice: error: input file not found");
        for (CliRun r : new CliRun[] {exists, quantized, unknownType, missing}) {
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err().lines()).hasSize(1);
        }
        assertThat(Files.readString(existing)).isEqualTo("x");
        assertThat(CliRun.of("quantize", STORIES.toString(), existing.toString(), "--type", "q8_0", "--force")
                .exitCode()).isZero();
    }
}
