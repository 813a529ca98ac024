package ai.sluice.core.tokenizer;

import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.gguf.GgufValue;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad or unsupported tokenizer metadata gives one clear line, never a stack of internals. */
class TokenizerMetadataErrorsTest {

    private static GgufMetadata metadata(Object... keyValues) {
        Map<String, GgufValue> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], (GgufValue) keyValues[i + 1]);
        }
        return new GgufMetadata(map);
    }

    private static void assertOneLineError(GgufMetadata md, String mentioned) {
        assertThatThrownBy(() -> Tokenizer.fromGguf(md))
                .isInstanceOf(TokenizerException.class)
                .hasMessageContaining(mentioned)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void unsupportedModelIsNamed() {
        assertOneLineError(metadata("tokenizer.ggml.model", GgufValue.ofString("rwkv"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"a", "b"})), "'rwkv'");
    }

    @Test
    void unsupportedPreTokenizerIsNamed() {
        assertOneLineError(metadata("tokenizer.ggml.model", GgufValue.ofString("gpt2"),
                "tokenizer.ggml.pre", GgufValue.ofString("martian"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"a", "b", "ab"}),
                "tokenizer.ggml.merges", GgufValue.ofStrings(new String[] {"a b"})), "'martian'");
    }

    @Test
    void missingModelOrTokensIsReported() {
        assertOneLineError(metadata("general.name", GgufValue.ofString("x")), "tokenizer.ggml.model");
        assertOneLineError(metadata("tokenizer.ggml.model", GgufValue.ofString("llama")), "tokenizer.ggml.tokens");
    }

    @Test
    void scoresOfTheWrongLengthAreReported() {
        assertOneLineError(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"<unk>", "<s>", "</s>"}),
                "tokenizer.ggml.scores", GgufValue.ofFloats(new float[] {0f, 0f})), "scores has 2 entries");
    }

    @Test
    void wrongValueTypesAreReported() {
        assertOneLineError(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofString("not an array")), "tokenizer.ggml.tokens");
    }

    @Test
    void bpeWithoutMergesIsReported() {
        assertOneLineError(metadata("tokenizer.ggml.model", GgufValue.ofString("gpt2"),
                "tokenizer.ggml.pre", GgufValue.ofString("gpt-2"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"a", "b"})), "merges");
    }

    @Test
    void duplicateTokensAreReported() {
        assertOneLineError(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"<unk>", "<s>", "</s>", "x", "x"})),
                "duplicate token");
    }

    @Test
    void aTinyHandMadeSentencePieceVocabularyWorks() {
        Tokenizer t = Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"<unk>", "<s>", "</s>", "▁", "a", "b", "▁a", "ab", "▁ab"}),
                "tokenizer.ggml.scores", GgufValue.ofFloats(new float[] {0, 0, 0, -1, -1, -1, -2, -3, -4}),
                "tokenizer.ggml.token_type", GgufValue.ofInts(new int[] {2, 3, 3, 1, 1, 1, 1, 1, 1})));
        // "▁ab": "▁a" (score -2) merges before "ab" (-3), then "▁a"+"b" = "▁ab".
        assertThat(t.encode("ab", false, false)).containsExactly(8);
        assertThat(t.encode("ab", true, false)).containsExactly(1, 8);
        assertThat(t.decode(new int[] {8, 6})).isEqualTo("ab a");
    }
}
