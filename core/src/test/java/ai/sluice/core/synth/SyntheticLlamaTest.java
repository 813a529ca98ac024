package ai.sluice.core.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.gguf.GgufTensorInfo;
import ai.sluice.core.model.ModelShape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyntheticLlamaTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0", "Q4_0"})
    void writes110mThatReopensWithTheRealShapeTypesAndMetadata(GgmlType type) {
        Path out = dir.resolve("synth-" + type + ".gguf");
        SyntheticLlama.Result r = SyntheticLlama.write(out, SynthConfig.L110M, type, 7);
        try (GgufFile f = GgufFile.open(out)) {
            ModelShape shape = ModelShape.of(f);
            assertThat(shape).isEqualTo(new ModelShape("llama", 1024, 768, 12, 2048, 12, 12, 64, 64, 32000, 0, 0,
                    SynthConfig.L110M.parameterCount(), f.tensorBytes()));
            assertThat(r.parameters()).isEqualTo(SynthConfig.L110M.parameterCount());
            assertThat(r.fileBytes()).isEqualTo(f.fileSize());
            assertThat(f.tensors()).hasSize(2 + 12 * 9 + 1).hasSize(r.tensors());

            GgufMetadata md = f.metadata();
            assertThat(md.getInt("general.file_type")).isEqualTo(SyntheticLlama.fileType(type));
            assertThat(md.getInt("llama.rope.dimension_count")).isEqualTo(64);
            assertThat(md.getFloat("llama.rope.freq_base")).isEqualTo(10000f);
            assertThat(md.getString("tokenizer.ggml.model")).isEqualTo("llama");
            assertThat(md.getInt("tokenizer.ggml.bos_token_id")).isEqualTo(1);
            assertThat(md.getInt("tokenizer.ggml.eos_token_id")).isEqualTo(2);
            assertThat(md.getStringArray("tokenizer.ggml.tokens")).hasSize(32000);
            assertThat(md.getFloatArray("tokenizer.ggml.scores")).hasSize(32000);
            assertThat(md.getIntArray("tokenizer.ggml.token_type")).hasSize(32000);

            for (GgufTensorInfo t : f.tensors().values()) {
                assertThat(t.type()).as(t.name()).isEqualTo(t.rank() == 1 ? GgmlType.F32 : type);
            }
            assertThat(f.tensor("token_embd.weight").shape()).containsExactly(768, 32000);
            assertThat(f.tensor("blk.11.attn_k.weight").shape()).containsExactly(768, 768);
            assertThat(f.tensor("blk.0.ffn_down.weight").shape()).containsExactly(2048, 768);
            assertThat(f.tensor("output.weight").shape()).containsExactly(768, 32000);
            assertThat(f.tensorData("output_norm.weight").get(F32, 767 * 4)).isEqualTo(1f);
            assertThat(f.tensorData("blk.3.attn_q.weight").mismatch(f.tensorData("blk.4.attn_q.weight")))
                    .as("each matrix has its own random numbers").isNotEqualTo(-1L);
        }
    }

    @Test
    void floatWeightsHaveTheIntendedScaleAndQuantScalesArePlausible() {
        Path f32 = dir.resolve("f32.gguf");
        Path q8 = dir.resolve("q8.gguf");
        SynthConfig small = new SynthConfig("t", "test", 64, 1, 4, 2, 128, 300, 64, 10000f, 1e-5f);
        SyntheticLlama.write(f32, small, GgmlType.F32, 1);
        SyntheticLlama.write(q8, small, GgmlType.Q8_0, 1);
        try (GgufFile f = GgufFile.open(f32); GgufFile g = GgufFile.open(q8)) {
            MemorySegment w = f.tensorData("token_embd.weight");
            double sum = 0;
            double sq = 0;
            long n = w.byteSize() / 4;
            for (long i = 0; i < n; i++) {
                double v = w.get(F32, i * 4);
                sum += v;
                sq += v * v;
            }
            assertThat(sum / n).isCloseTo(0, org.assertj.core.data.Offset.offset(0.001));
            assertThat(Math.sqrt(sq / n)).isCloseTo(0.02, org.assertj.core.data.Offset.offset(0.001));

            MemorySegment q = g.tensorData("blk.0.ffn_up.weight");
            for (long b = 0; b < q.byteSize() / 34; b++) {
                float d = Float.float16ToFloat(q.get(F16, b * 34));
                assertThat(d).isBetween(0.75f * 0.02f / 73.9f, 1.25f * 0.02f / 73.9f);
            }
        }
    }

    @Test
    void sameSeedGivesTheSameFileAndAnotherSeedAnother() {
        SynthConfig small = new SynthConfig("t", "test", 64, 2, 4, 4, 96, 400, 64, 10000f, 1e-5f);
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        SyntheticLlama.write(a, small, GgmlType.Q4_0, 42);
        SyntheticLlama.write(b, small, GgmlType.Q4_0, 42);
        SyntheticLlama.write(c, small, GgmlType.Q4_0, 43);
        try (GgufFile fa = GgufFile.open(a); GgufFile fb = GgufFile.open(b); GgufFile fc = GgufFile.open(c)) {
            MemorySegment ta = fa.tensorData("blk.1.ffn_gate.weight");
            assertThat(ta.mismatch(fb.tensorData("blk.1.ffn_gate.weight"))).isEqualTo(-1L);
            assertThat(ta.mismatch(fc.tensorData("blk.1.ffn_gate.weight"))).isNotEqualTo(-1L);
        }
    }

    @Test
    void vocabularyIsSentencePieceStyleWithDistinctPieces() {
        SynthVocabulary v = SynthVocabulary.of(128256);
        assertThat(v.tokens()).hasSize(128256).doesNotContainNull();
        assertThat(new HashSet<>(List.of(v.tokens()))).hasSize(128256);
        assertThat(v.tokens()).startsWith("<unk>", "<s>", "</s>", "<0x00>", "<0x01>");
        assertThat(v.tokens()[3 + 0x0A]).isEqualTo("<0x0A>");
        assertThat(v.tokens()[258]).isEqualTo("<0xFF>");
        assertThat(v.tokens()).contains("\u2581the", "\u2581", "e", "\u2581zz");
        assertThat(v.types()[0]).isEqualTo(2);
        assertThat(v.types()[1]).isEqualTo(3);
        assertThat(v.types()[100]).isEqualTo(6);
        assertThat(v.types()[300]).isEqualTo(1);
        assertThat(v.scores()[300]).isGreaterThan(v.scores()[301]);
    }

    @Test
    void presetsHaveTheRealModelsShapes() {
        assertThat(SynthConfig.preset("1B")).isSameAs(SynthConfig.L1B);
        assertThat(SynthConfig.L1B.parameterCount()).isBetween(1_090_000_000L, 1_110_000_000L); // TinyLlama 1.1B
        assertThat(SynthConfig.L8B.parameterCount()).isBetween(8_000_000_000L, 8_060_000_000L); // Llama 3 8.03B
        assertThat(SynthConfig.L8B.kvDim()).isEqualTo(1024);
        assertThatThrownBy(() -> SynthConfig.preset("7b")).hasMessageContaining("choose one of 110m, 1b, 8b");
        assertThatThrownBy(() -> SyntheticLlama.fileType(GgmlType.Q4_K)).hasMessageContaining("cannot synthesize Q4_K");
    }
}
