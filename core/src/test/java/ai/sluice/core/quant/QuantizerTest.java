package ai.sluice.core.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.format.RowCodec;
import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufTensorInfo;
import ai.sluice.core.gguf.GgufValue;
import ai.sluice.core.gguf.GgufWriter;
import ai.sluice.core.testing.SharedData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizerTest {
    private static final Path STORIES = SharedData.stories260K();

    @TempDir
    Path tmp;

    private static Path derived(QuantTarget t) {
        return SharedData.models().resolve("derived").resolve("stories260K-" + t + ".gguf");
    }

    private static byte[] bytes(GgufFile f, GgufTensorInfo t) {
        return f.tensorData(t).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Names of the tensors whose type and bytes are equal in both files. */
    private static List<String> identicalTensors(Path a, Path b) {
        List<String> same = new ArrayList<>();
        try (GgufFile fa = GgufFile.open(a); GgufFile fb = GgufFile.open(b)) {
            for (GgufTensorInfo ta : fa.tensors().values()) {
                GgufTensorInfo tb = fb.tensor(ta.name());
                if (ta.type() == tb.type() && java.util.Arrays.equals(bytes(fa, ta), bytes(fb, tb))) {
                    same.add(ta.name());
                }
            }
        }
        return same;
    }

    @Test
    void q8_0AndQ4_0ReproduceTheDerivedStoriesFilesByteForByte() throws IOException {
        for (QuantTarget target : List.of(QuantTarget.Q8_0, QuantTarget.Q4_0)) {
            Path out = tmp.resolve("stories-" + target + ".gguf");
            Quantizer.run(QuantizeJob.of(STORIES, out, target).withThreads(3));

            assertThat(identicalTensors(out, derived(target))).as(target.toString()).hasSize(48);
            // Same metadata in the same order, same layout: the whole file is identical.
            assertThat(Files.readAllBytes(out)).as(target.toString()).isEqualTo(Files.readAllBytes(derived(target)));
        }
    }

    @Test
    void followsLlamaCppsPolicyAndSetsTheFileType() {
        Path out = tmp.resolve("q4.gguf");
        QuantizeSummary summary = Quantizer.run(QuantizeJob.of(STORIES, out, QuantTarget.Q4_0));

        try (GgufFile f = GgufFile.open(out); GgufFile in = GgufFile.open(STORIES)) {
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q4_0);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q4_0);
            assertThat(f.tensor("output.weight").type()).isEqualTo(GgmlType.Q4_0);
            assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.F16); // ne0 = 172
            assertThat(f.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
            assertThat(f.metadata().getInt("general.file_type")).isEqualTo(2);
            assertThat(f.metadata().getInt("general.quantization_version")).isEqualTo(2);
            assertThat(f.metadata().getString("tokenizer.ggml.model")).isEqualTo("llama");
            assertThat(f.metadata().getStringArray("tokenizer.ggml.tokens"))
                    .containsExactly(in.metadata().getStringArray("tokenizer.ggml.tokens"));
            assertThat(f.tensors().keySet()).containsExactlyElementsOf(in.tensors().keySet());
        }
        Map<GgmlType, QuantizeSummary.TypeTotals> totals = summary.byOutputType();
        assertThat(totals.get(GgmlType.Q4_0).tensors()).isEqualTo(32);
        assertThat(totals.get(GgmlType.Q4_0).bytesAfter()).isEqualTo(237056 / 32 * 18);
        assertThat(totals.get(GgmlType.F16).tensors()).isEqualTo(5);
        assertThat(totals.get(GgmlType.F32).bytesAfter()).isEqualTo(totals.get(GgmlType.F32).bytesBefore());
        assertThat(summary.fileBytesAfter()).isEqualTo(260640);
    }

    @Test
    void keepOutputF16KeepsOnlyTheOutputProjectionAtF16() {
        Path out = tmp.resolve("q8-keep.gguf");
        Quantizer.run(QuantizeJob.of(STORIES, out, QuantTarget.Q8_0).withKeepOutputF16(true));

        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensor("output.weight").type()).isEqualTo(GgmlType.F16);
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.Q8_0);
        }
        List<String> same = identicalTensors(out, derived(QuantTarget.Q8_0));
        assertThat(same).hasSize(47).doesNotContain("output.weight");
    }

    @Test
    void keepOutputF16KeepsTheTiedEmbeddingWhenThereIsNoOutputTensor() {
        Path tied = tmp.resolve("tied.gguf");
        writeModel(tied, GgmlType.F32, false);
        Path out = tmp.resolve("tied-q8.gguf");
        Quantizer.run(QuantizeJob.of(tied, out, QuantTarget.Q8_0).withKeepOutputF16(true));

        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.tensor("token_embd.weight").type()).isEqualTo(GgmlType.F16);
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q8_0);
        }
    }

    @Test
    void readsF16AndBf16InputsAndConvertsThemWithoutLoss() {
        Path bf16 = tmp.resolve("bf16.gguf");
        writeModel(bf16, GgmlType.BF16, true);
        Path f16 = tmp.resolve("f16.gguf");
        Quantizer.run(QuantizeJob.of(bf16, f16, QuantTarget.F16));
        Path f16Again = tmp.resolve("f16-again.gguf");
        Quantizer.run(QuantizeJob.of(f16, f16Again, QuantTarget.F16));

        try (GgufFile a = GgufFile.open(f16); GgufFile b = GgufFile.open(f16Again)) {
            assertThat(a.metadata().getInt("general.file_type")).isEqualTo(1);
            float[] values = floats(a, "blk.0.attn_q.weight");
            assertThat(values).containsExactly(testValues(64 * 4)); // every test value is exact in BF16 and F16
            assertThat(identicalTensors(f16, f16Again)).hasSize(a.tensors().size());
        }
    }

    @Test
    void givesTheSameBytesWithOneThreadOrMany() throws IOException {
        Path one = tmp.resolve("one.gguf");
        Path many = tmp.resolve("many.gguf");
        Quantizer.run(QuantizeJob.of(STORIES, one, QuantTarget.Q4_0).withThreads(1));
        Quantizer.run(QuantizeJob.of(STORIES, many, QuantTarget.Q4_0).withThreads(7));

        assertThat(Files.readAllBytes(many)).isEqualTo(Files.readAllBytes(one));
    }

    @Test
    void reportsProgressUpToEveryElementOfTheFile() {
        AtomicLong last = new AtomicLong();
        AtomicLong total = new AtomicLong();
        Quantizer.run(QuantizeJob.of(STORIES, tmp.resolve("p.gguf"), QuantTarget.Q8_0)
                .withProgress((done, all, tensor) -> {
                    last.accumulateAndGet(done, Math::max);
                    total.set(all);
                }));

        assertThat(total.get()).isEqualTo(237056 + 704 + 55040);
        assertThat(last.get()).isEqualTo(total.get());
    }

    @Test
    void refusesToOverwriteUnlessAsked() throws IOException {
        Path out = tmp.resolve("exists.gguf");
        Files.writeString(out, "keep me");

        assertThatThrownBy(() -> Quantizer.run(QuantizeJob.of(STORIES, out, QuantTarget.Q8_0)))
                .isInstanceOf(QuantizeException.class).hasMessageContaining("output exists").hasMessageContaining("QuantizeJob.overwrite");
        assertThat(Files.readString(out)).isEqualTo("keep me");

        Quantizer.run(QuantizeJob.of(STORIES, out, QuantTarget.Q8_0).withOverwrite(true));
        assertThat(Files.size(out)).isEqualTo(379168);
    }

    @Test
    void refusesAlreadyQuantizedInputsAndMissingFiles() {
        Path q8 = derived(QuantTarget.Q8_0);
        assertThatThrownBy(() -> Quantizer.run(QuantizeJob.of(q8, tmp.resolve("x.gguf"), QuantTarget.Q4_0)))
                .isInstanceOf(QuantizeException.class)
                .hasMessageContaining("'token_embd.weight' is already Q8_0");
        assertThatThrownBy(() -> Quantizer.run(QuantizeJob.of(tmp.resolve("none.gguf"), tmp.resolve("y.gguf"),
                QuantTarget.Q4_0)))
                .isInstanceOf(QuantizeException.class).hasMessageContaining("input file not found");
        assertThatThrownBy(() -> QuantTarget.parse("q5_k"))
                .isInstanceOf(QuantizeException.class).hasMessageContaining("q8_0, q4_0, f16");
        assertThat(tmp.resolve("x.gguf")).doesNotExist();
    }

    @Test
    void reportsAFileThatIsNotGgufInOneLine() throws IOException {
        Path junk = tmp.resolve("junk.gguf");
        Files.write(junk, new byte[64]);

        assertThatThrownBy(() -> Quantizer.run(QuantizeJob.of(junk, tmp.resolve("z.gguf"), QuantTarget.Q8_0)))
                .isInstanceOf(QuantizeException.class).hasMessageStartingWith("junk.gguf: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static float[] testValues(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i % 17 - 8) * 0.125f; // multiples of 1/8 in [-1, 1]: exact in F16 and BF16
        }
        return v;
    }

    private static float[] floats(GgufFile f, String name) {
        GgufTensorInfo t = f.tensor(name);
        int n = Math.toIntExact(t.elementCount());
        float[] out = new float[n];
        RowCodec.of(t.type()).decode(bytes(f, t), 0, n, out, 0);
        return out;
    }

    /** A tiny Llama-shaped file: embedding, one attention matrix, a norm; {@code type} for the matrices. */
    private static void writeModel(Path path, GgmlType type, boolean withOutput) {
        List<GgufWriter.TensorSpec> specs = new ArrayList<>();
        specs.add(matrix("token_embd.weight", type, 64, 8));
        specs.add(matrix("blk.0.attn_q.weight", type, 64, 4));
        specs.add(new GgufWriter.TensorSpec("blk.0.attn_norm.weight", GgmlType.F32, new long[] {64},
                seg -> seg.fill((byte) 0)));
        if (withOutput) {
            specs.add(matrix("output.weight", type, 64, 8));
        }
        GgufWriter.write(path, Map.of("general.architecture", GgufValue.ofString("llama")), specs);
    }

    private static GgufWriter.TensorSpec matrix(String name, GgmlType type, int cols, int rows) {
        float[] values = testValues(cols * rows);
        return new GgufWriter.TensorSpec(name, type, new long[] {cols, rows}, seg -> {
            byte[] b = new byte[Math.toIntExact(type.byteSize(values.length))];
            RowCodec.of(type).encode(values, 0, values.length, b, 0);
            MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, b.length);
        });
    }
}
