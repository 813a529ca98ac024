package ai.sluice.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.gguf.GgufValue;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How the tokenizer.* metadata becomes a tokenizer, on small hand-made vocabularies: each model's
 * defaults, every metadata override, the special-token rules (end of generation, control, unused,
 * strip flags) and the errors for inconsistent metadata.
 */
class TokenizerFactoryTest {
    /** A SentencePiece vocabulary: 0 unk, 1 bos, 2 eos, then pieces. */
    private static final String[] SPM = {"<unk>", "<s>", "</s>", "▁", "a", "b", "▁a", "ab", "▁ab"};
    private static final float[] SPM_SCORES = {0, 0, 0, -1, -1, -1, -2, -3, -4};
    private static final int[] SPM_TYPES = {2, 3, 3, 1, 1, 1, 1, 1, 1};

    private static GgufMetadata metadata(Object... keyValues) {
        Map<String, GgufValue> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], (GgufValue) keyValues[i + 1]);
        }
        return new GgufMetadata(map);
    }

    /** The SentencePiece vocabulary plus {@code extra} tokens (typed control when they look special) and {@code more} metadata. */
    private static Tokenizer llamaWith(String[] extra, Object... more) {
        String[] tokens = Arrays.copyOf(SPM, SPM.length + extra.length);
        float[] scores = Arrays.copyOf(SPM_SCORES, tokens.length);
        int[] types = Arrays.copyOf(SPM_TYPES, tokens.length);
        for (int i = 0; i < extra.length; i++) {
            tokens[SPM.length + i] = extra[i];
            types[SPM.length + i] = extra[i].startsWith("<") ? 3 : 1;
        }
        Object[] kv = new Object[8 + more.length];
        kv[0] = "tokenizer.ggml.model";
        kv[1] = GgufValue.ofString("llama");
        kv[2] = "tokenizer.ggml.tokens";
        kv[3] = GgufValue.ofStrings(tokens);
        kv[4] = "tokenizer.ggml.scores";
        kv[5] = GgufValue.ofFloats(scores);
        kv[6] = "tokenizer.ggml.token_type";
        kv[7] = GgufValue.ofInts(types);
        System.arraycopy(more, 0, kv, 8, more.length);
        return Tokenizer.fromGguf(metadata(kv));
    }

    private static Tokenizer llama(Object... more) {
        return llamaWith(new String[0], more);
    }

    /** A byte-level BPE vocabulary of {@code tokens} with {@code merges}, and {@code more} metadata. */
    private static Tokenizer bpe(String model, String pre, String[] tokens, String[] merges, Object... more) {
        Object[] kv = new Object[8 + more.length];
        kv[0] = "tokenizer.ggml.model";
        kv[1] = GgufValue.ofString(model);
        kv[2] = "tokenizer.ggml.pre";
        kv[3] = GgufValue.ofString(pre);
        kv[4] = "tokenizer.ggml.tokens";
        kv[5] = GgufValue.ofStrings(tokens);
        kv[6] = "tokenizer.ggml.merges";
        kv[7] = GgufValue.ofStrings(merges);
        System.arraycopy(more, 0, kv, 8, more.length);
        return Tokenizer.fromGguf(metadata(kv));
    }

    private static final String[] BYTE_LEVEL = {"a", "b", "ab", "Ġ", "?", "Ġ?", "Ġa", "c", "d", "e", "f", "<|eos|>"};

    private static void refused(Runnable build, String message) {
        assertThatThrownBy(build::run).isInstanceOf(TokenizerException.class).hasMessageContaining(message);
    }

    @Test
    void llamaDefaultsBosEosUnkAndTheLeadingSpace() {
        Tokenizer t = llama();
        Vocabulary v = t.vocabulary();
        assertThat(v.size()).isEqualTo(SPM.length);
        assertThat(new int[] {v.bosId(), v.eosId(), v.unknownId(), v.separatorId()}).containsExactly(1, 2, 0, -1);
        assertThat(t.encode("ab", true, false)).containsExactly(1, 8);
        assertThat(t.encode("ab", false, false)).containsExactly(8);
        assertThat(v.type(0)).isEqualTo(TokenType.UNKNOWN);
        assertThat(v.type(1)).isEqualTo(TokenType.CONTROL);
        assertThat(v.score(6)).isEqualTo(-2f);
        assertThat(v.isEndOfGeneration(2)).isTrue();
        assertThat(v.isEndOfGeneration(1)).isFalse();
    }

    @Test
    void metadataOverridesEveryDefault() {
        Tokenizer t = llama("tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(4),
                "tokenizer.ggml.eos_token_id", GgufValue.ofUInt32(5),
                "tokenizer.ggml.unknown_token_id", GgufValue.ofUInt32(3),
                "tokenizer.ggml.add_eos_token", GgufValue.ofBool(true),
                "tokenizer.ggml.add_space_prefix", GgufValue.ofBool(false));
        Vocabulary v = t.vocabulary();
        assertThat(new int[] {v.bosId(), v.eosId(), v.unknownId()}).containsExactly(4, 5, 3);
        // no leading space: "ab" is the piece "ab" (7), between the new BOS and EOS
        assertThat(t.encode("ab", true, false)).containsExactly(4, 7, 5);
        assertThat(v.isEndOfGeneration(5)).isTrue();
        assertThat(llama("tokenizer.ggml.add_bos_token", GgufValue.ofBool(false)).encode("ab", true, false))
                .containsExactly(8);
    }

    @Test
    void specialIdsOutsideTheVocabularyKeepTheDefault() {
        Vocabulary v = llama("tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(SPM.length),
                "tokenizer.ggml.eos_token_id", GgufValue.ofInt32(-1),
                "tokenizer.ggml.seperator_token_id", GgufValue.ofUInt32(8)).vocabulary();
        assertThat(v.bosId()).isEqualTo(1);
        assertThat(v.eosId()).isEqualTo(2);
        assertThat(v.separatorId()).isEqualTo(8);
        assertThat(llama("tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(SPM.length - 1)).vocabulary().bosId())
                .isEqualTo(SPM.length - 1);
        assertThat(llama("tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(0)).vocabulary().bosId()).isZero();
    }

    @Test
    void addingASpecialTokenThatIsNotSetIsRefused() {
        // gpt2's default BOS/EOS id 11 lies outside a 4-token vocabulary, so they are unset
        String[] small = {"a", "b", "ab", "Ġ"};
        Tokenizer plain = bpe("gpt2", "gpt-2", small, new String[] {"a b"});
        assertThat(plain.vocabulary().bosId()).isEqualTo(-1);
        assertThat(plain.vocabulary().eosId()).isEqualTo(-1);
        refused(() -> bpe("gpt2", "gpt-2", small, new String[] {"a b"}, "tokenizer.ggml.add_bos_token",
                GgufValue.ofBool(true)), "tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
        refused(() -> bpe("gpt2", "gpt-2", small, new String[] {"a b"}, "tokenizer.ggml.add_eos_token",
                GgufValue.ofBool(true)), "tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set");
        // with an id in range both are fine
        Tokenizer both = bpe("gpt2", "gpt-2", small, new String[] {"a b"}, "tokenizer.ggml.add_bos_token",
                GgufValue.ofBool(true), "tokenizer.ggml.add_eos_token", GgufValue.ofBool(true),
                "tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(3), "tokenizer.ggml.eos_token_id", GgufValue.ofUInt32(0));
        assertThat(both.encode("ab", true, false)).containsExactly(3, 2, 0);
    }

    @Test
    void gpt2PreTokenizerFamiliesSetBosMergesAndSpaceCleaning() {
        String[] merges = {"a b", "Ġ ?"};
        // default: BOS/EOS 11, no BOS added, spaces before punctuation cleaned on decode
        Tokenizer gpt2 = bpe("gpt2", "gpt-2", BYTE_LEVEL, merges);
        assertThat(gpt2.vocabulary().bosId()).isEqualTo(11);
        assertThat(gpt2.vocabulary().eosId()).isEqualTo(11);
        assertThat(gpt2.vocabulary().unknownId()).isEqualTo(-1);
        assertThat(gpt2.encode("ab", true, false)).containsExactly(2);
        assertThat(gpt2.decode(new int[] {2, 5})).isEqualTo("ab?");
        // an empty pre means "default"
        assertThat(bpe("gpt2", "", BYTE_LEVEL, merges).decode(new int[] {2, 5})).isEqualTo("ab?");
        // llama3 family: adds BOS, and takes whole words from the vocabulary even without a merge for them
        Tokenizer llama3 = bpe("gpt2", "llama-bpe", BYTE_LEVEL, new String[] {"Ġ ?"});
        assertThat(llama3.encode("ab", true, false)).containsExactly(11, 2);
        assertThat(bpe("gpt2", "gpt-2", BYTE_LEVEL, new String[] {"Ġ ?"}).encode("ab", false, false))
                .containsExactly(0, 1);
        // deepseek-llm and friends keep the space
        assertThat(bpe("gpt2", "qwen2", BYTE_LEVEL, merges).decode(new int[] {2, 5})).isEqualTo("ab ?");
        // chatglm-bpe has no BOS by default
        assertThat(bpe("gpt2", "chatglm-bpe", BYTE_LEVEL, merges).vocabulary().bosId()).isEqualTo(-1);
        refused(() -> bpe("gpt2", "martian", BYTE_LEVEL, merges), "'martian'");
    }

    @Test
    void gemma4ForcesBosAndNeedsItsId() {
        String[] tokens = {"a", "b", "ab", "▁", "<bos>", "<eos>"};
        refused(() -> bpe("gemma4", "ignored", tokens, new String[] {"a b"}), "bos_token_id is not set");
        Tokenizer g = bpe("gemma4", "ignored", tokens, new String[] {"a b"}, "tokenizer.ggml.bos_token_id",
                GgufValue.ofUInt32(4), "tokenizer.ggml.add_bos_token", GgufValue.ofBool(false));
        assertThat(g.encode("ab", true, false)).containsExactly(4, 2);
        assertThat(g.vocabulary().eosId()).isEqualTo(-1);
        assertThat(g.vocabulary().id("▁")).isEqualTo(3);
        assertThat(g.encode("a b", false, false)).containsExactly(0, 3, 1);
    }

    @Test
    void bertDefaultsClsSepAndUnk() {
        String[] tokens = new String[104];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = "[unused" + i + "]";
        }
        tokens[0] = "[PAD]";
        tokens[100] = "[UNK]";
        tokens[101] = "[CLS]";
        tokens[102] = "[SEP]";
        tokens[103] = "▁hello"; // llama.cpp marks word starts, not continuations
        Tokenizer bert = Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("bert"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(tokens)));
        Vocabulary v = bert.vocabulary();
        assertThat(new int[] {v.bosId(), v.eosId(), v.unknownId(), v.separatorId()}).containsExactly(101, -1, 100, 102);
        assertThat(bert.encode("Hello", true, false)).containsExactly(101, 103, 102);
        assertThat(bert.encode("hello zzz", false, false)).containsExactly(103, 100);
        // a vocabulary too small for the default ids has none, and then cannot add CLS
        refused(() -> Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("bert"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"[UNK]", "a"}))), "bos_token_id is not set");
    }

    @Test
    void typesAndAttributesFollowTheTokenTypeCodes() {
        String[] tokens = {"u", "n", "c", "d", "x", "y", "z"};
        int[] codes = {2, 1, 3, 4, 5, 6, 0};
        Tokenizer t = Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(tokens), "tokenizer.ggml.token_type", GgufValue.ofInts(codes),
                "tokenizer.ggml.add_bos_token", GgufValue.ofBool(false)));
        Vocabulary v = t.vocabulary();
        assertThat(Arrays.stream(new int[] {0, 1, 2, 3, 4, 5, 6}).mapToObj(v::type)).containsExactly(TokenType.UNKNOWN,
                TokenType.NORMAL, TokenType.CONTROL, TokenType.USER_DEFINED, TokenType.UNUSED, TokenType.BYTE,
                TokenType.UNDEFINED);
        assertThat(Arrays.stream(new int[] {0, 1, 2, 3, 4, 5, 6}).map(v::attr)).containsExactly(Vocabulary.ATTR_UNKNOWN,
                Vocabulary.ATTR_NORMAL, Vocabulary.ATTR_CONTROL, Vocabulary.ATTR_USER_DEFINED, Vocabulary.ATTR_UNUSED,
                Vocabulary.ATTR_BYTE, 0);
        assertThat(TokenType.fromGguf(7)).isEqualTo(TokenType.UNDEFINED);
        assertThat(TokenType.fromGguf(-1)).isEqualTo(TokenType.UNDEFINED);
        refused(() -> Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(tokens), "tokenizer.ggml.token_type",
                GgufValue.ofInts(new int[] {1, 1}))), "token_type has 2 entries but there are 7 tokens");
    }

    @Test
    void emptyVocabulariesAndEmptyEntriesAreHandled() {
        refused(() -> Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[0]))), "tokenizer.ggml.tokens is empty");
        Tokenizer t = llamaWith(new String[] {"", "c", ""});
        assertThat(t.vocabulary().text(SPM.length)).isEqualTo("[EMPTY_" + SPM.length + "]");
        assertThat(t.vocabulary().text(SPM.length + 2)).isEqualTo("[EMPTY_" + (SPM.length + 2) + "]");
        assertThat(t.vocabulary().text(SPM.length + 1)).isEqualTo("c");
    }

    @Test
    void endOfGenerationAndControlTokensAreRecognisedByText() {
        String[] extra = {"<|eot_id|>", "<|im_end|>", "<|eom_id|>", "<|fim_pad|>", "<end_of_turn>", "<|channel|>",
            "<unused7>", "x_unused", "<|endoftext|>", "plain"};
        Tokenizer t = llamaWith(extra);
        Vocabulary v = t.vocabulary();
        for (String eog : new String[] {"<|eot_id|>", "<|im_end|>", "<|eom_id|>", "<|fim_pad|>", "<end_of_turn>",
            "<|endoftext|>", "</s>"}) {
            assertThat(v.isEndOfGeneration(v.id(eog))).as(eog).isTrue();
            assertThat(v.isControl(v.id(eog))).as(eog).isTrue();
        }
        for (String not : new String[] {"<|channel|>", "<unused7>", "x_unused", "plain", "a", "<s>"}) {
            assertThat(v.isEndOfGeneration(v.id(not))).as(not).isFalse();
        }
        assertThat(v.attr(v.id("<|channel|>"))).isEqualTo(Vocabulary.ATTR_USER_DEFINED);
        assertThat(v.attr(v.id("<unused7>"))).isEqualTo(Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_UNUSED);
        assertThat(v.attr(v.id("x_unused"))).isEqualTo(Vocabulary.ATTR_NORMAL);
        assertThat(v.attr(v.id("plain"))).isEqualTo(Vocabulary.ATTR_NORMAL);
        // an end-of-generation text typed normal in the file still becomes a control token
        Tokenizer typedNormal = Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"<unk>", "<s>", "</s>", "<|im_end|>",
                    "<|eom_id|>", "<|fim_pad|>", "<|eot_id|>"})));
        for (int id = 3; id <= 6; id++) {
            assertThat(typedNormal.vocabulary().attr(id) & Vocabulary.ATTR_CONTROL).as("id %d", id).isNotZero();
            assertThat(typedNormal.vocabulary().isEndOfGeneration(id)).isTrue();
        }
        // explicit end-of-turn and end-of-message ids end generation too
        Vocabulary explicit = llama("tokenizer.ggml.eot_token_id", GgufValue.ofUInt32(4),
                "tokenizer.ggml.eom_token_id", GgufValue.ofUInt32(5)).vocabulary();
        assertThat(explicit.isEndOfGeneration(4)).isTrue();
        assertThat(explicit.isEndOfGeneration(5)).isTrue();
        assertThat(explicit.isEndOfGeneration(6)).isFalse();
    }

    @Test
    void withAToolResponseTokenTheClosingSTagIsOrdinaryText() {
        // Gemma 4 (and PaddleOCR) use "</s>" as text: llama.cpp drops it from end of generation
        Vocabulary gemma = llamaWith(new String[] {"<|tool_response>"}).vocabulary();
        assertThat(gemma.isEndOfGeneration(2)).isFalse();
        assertThat(gemma.attr(2)).isEqualTo(Vocabulary.ATTR_NORMAL);
        assertThat(gemma.isEndOfGeneration(gemma.id("<|tool_response>"))).isTrue();
        Vocabulary plain = llamaWith(new String[] {"<|tool_call>"}).vocabulary();
        assertThat(plain.isEndOfGeneration(2)).isTrue();
        assertThat(plain.isControl(2)).isTrue();
    }

    @Test
    void phi3MarksSpecialTokensToSwallowTheWhitespaceAfterThem() {
        for (String name : new String[] {"Phi-3 mini", "phi3-medium"}) {
            Vocabulary v = llamaWith(new String[] {"<|end|>", "<|endoftext|>", "<|user|>"}, "general.name",
                    GgufValue.ofString(name)).vocabulary();
            assertThat(v.attr(v.id("<|end|>")) & Vocabulary.ATTR_RSTRIP).as(name).isNotZero();
            assertThat(v.attr(v.id("<|user|>")) & Vocabulary.ATTR_RSTRIP).isNotZero();
            assertThat(v.attr(2) & Vocabulary.ATTR_RSTRIP).as("</s>").isNotZero();
            for (String kept : new String[] {"<unk>", "<s>", "<|endoftext|>"}) {
                assertThat(v.attr(v.id(kept)) & Vocabulary.ATTR_RSTRIP).as(kept).isZero();
            }
            assertThat(v.attr(v.id("a")) & Vocabulary.ATTR_RSTRIP).isZero();
        }
        Vocabulary other = llamaWith(new String[] {"<|end|>"}, "general.name", GgufValue.ofString("Llama")).vocabulary();
        assertThat(other.attr(other.id("<|end|>")) & Vocabulary.ATTR_RSTRIP).isZero();
    }

    @Test
    void maskTokensOfSomeEncodersSwallowTheWhitespaceBeforeThem() {
        for (Object[] md : new Object[][] {{"general.architecture", GgufValue.ofString("nomic-bert-moe")},
            {"general.architecture", GgufValue.ofString("jina-bert-v3")}}) {
            Vocabulary v = llamaWith(new String[] {"<mask>", "[MASK]"}, md).vocabulary();
            assertThat(v.attr(v.id("<mask>")) & Vocabulary.ATTR_LSTRIP).isNotZero();
            assertThat(v.attr(v.id("[MASK]")) & Vocabulary.ATTR_LSTRIP).isZero();
        }
        Vocabulary modern = llamaWith(new String[] {"<mask>", "[MASK]"}, "general.name", GgufValue.ofString("modern-bert"))
                .vocabulary();
        assertThat(modern.attr(modern.id("[MASK]")) & Vocabulary.ATTR_LSTRIP).isNotZero();
        assertThat(modern.attr(modern.id("<mask>")) & Vocabulary.ATTR_LSTRIP).isZero();
        Vocabulary jina = bpe("gpt2", "jina-v2-de", BYTE_LEVEL_WITH_MASK, new String[] {"a b"}).vocabulary();
        assertThat(jina.attr(jina.id("<mask>")) & Vocabulary.ATTR_LSTRIP).isNotZero();
        Vocabulary none = llamaWith(new String[] {"<mask>", "[MASK]"}).vocabulary();
        assertThat(none.attr(none.id("<mask>")) & Vocabulary.ATTR_LSTRIP).isZero();
        assertThat(none.attr(none.id("[MASK]")) & Vocabulary.ATTR_LSTRIP).isZero();
    }

    private static final String[] BYTE_LEVEL_WITH_MASK = {"a", "b", "ab", "Ġ", "<mask>"};

    @Test
    void aWordPieceVocabularyWithoutSepCannotAddSpecialTokens() {
        Tokenizer bert = Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("bert"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"[UNK]", "[CLS]", "\u2581a"}),
                "tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(1)));
        assertThat(bert.encode("a", false, false)).containsExactly(2);
        refused(() -> bert.encode("a", true, false), "the vocabulary asks for a SEP token but defines none");
    }

    @Test
    void tokenBytesRenderEveryKindOfToken() {
        String[] tokens = {"<unk>", "<s>", "</s>", "\u2581a", "<0x41>", "<0xZZ>", "<x>", "u"};
        int[] types = {2, 3, 3, 1, 6, 6, 4, 5};
        Tokenizer t = Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(tokens), "tokenizer.ggml.token_type", GgufValue.ofInts(types)));
        assertThat(new String(t.tokenBytes(1), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("<s>");
        assertThat(new String(t.tokenBytes(0), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("<unk>");
        assertThat(new String(t.tokenBytes(3), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(" a");
        assertThat(t.tokenBytes(4)).containsExactly(0x41);
        // a malformed byte token is its own text
        assertThat(new String(t.tokenBytes(5), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("<0xZZ>");
        assertThat(new String(t.tokenBytes(6), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("<x>");
        assertThat(new String(t.tokenBytes(7), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("u");
        // decode renders user-defined text and bytes but no control, unknown or unused token
        assertThat(t.decode(new int[] {3, 1, 4, 0, 6, 7, 2})).isEqualTo("aA<x>");
        assertThatThrownBy(() -> t.tokenBytes(8)).isInstanceOf(TokenizerException.class);
    }

    @Test
    void aWordPieceVocabularyWithoutClsCannotAddSpecialTokens() {
        Tokenizer bert = Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("bert"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"[UNK]", "\u2581a"}),
                "tokenizer.ggml.add_bos_token", GgufValue.ofBool(false)));
        assertThat(bert.encode("a", false, false)).containsExactly(1);
        refused(() -> bert.encode("a", true, false), "the vocabulary asks for a BOS token but defines none");
    }

    @Test
    void sentencePieceSpellsUnknownCharactersWithByteTokensOrUnknown() {
        // no <0xNN> tokens: each UTF-8 byte of "é" becomes <unk>
        assertThat(llama("tokenizer.ggml.add_space_prefix", GgufValue.ofBool(false)).encode("a\u00E9", false, false))
                .containsExactly(4, 0, 0);
        // with byte tokens the bytes are spelled
        Tokenizer bytes = llamaWith(new String[] {"<0xC3>", "<0xA9>"}, "tokenizer.ggml.add_space_prefix",
                GgufValue.ofBool(false));
        assertThat(bytes.encode("\u00E9a", false, false)).containsExactly(SPM.length, SPM.length + 1, 4);
    }

    @Test
    void gemma4TakesARunOfNewlinesWholeWhenItIsAToken() {
        String[] tokens = {"a", "b", "\n", "\n\n", "\u2581"};
        Tokenizer g = bpe("gemma4", "ignored", tokens, new String[] {"a b"}, "tokenizer.ggml.bos_token_id",
                GgufValue.ofUInt32(0));
        assertThat(g.encode("a\n\nb", false, false)).containsExactly(0, 3, 1);
        assertThat(g.encode("a\n\n\nb", false, false)).containsExactly(0, 2, 2, 2, 1);
    }

    @Test
    void badMetadataTypesBecomeTokenizerErrors() {
        refused(() -> Tokenizer.fromGguf(metadata("tokenizer.ggml.model", GgufValue.ofString("llama"),
                "tokenizer.ggml.tokens", GgufValue.ofStrings(SPM), "tokenizer.ggml.scores", GgufValue.ofString("x"))),
                "bad tokenizer metadata");
    }
}
