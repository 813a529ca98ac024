package ai.sluice.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.gguf.GgufValue;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The small parts of the tokenizers at their boundaries: WordPiece's character classes, byte-level text, vocabulary checks. */
class TokenizerPartsTest {

    private static Vocabulary vocabulary(String[] texts, int unknownId) {
        int n = texts.length;
        TokenType[] types = new TokenType[n];
        Arrays.fill(types, TokenType.NORMAL);
        int[] attrs = new int[n];
        Arrays.fill(attrs, Vocabulary.ATTR_NORMAL);
        return new Vocabulary(texts, new float[n], types, attrs, new BitSet(), -1, -1, unknownId, -1);
    }

    private static WordPieceModel wordPiece(String[] texts, int unknownId, boolean lowercase, boolean stripAccents) {
        return new WordPieceModel(vocabulary(texts, unknownId), texts, lowercase, stripAccents);
    }

    private static String cp(int codePoint) {
        return new String(Character.toChars(codePoint));
    }

    @Test
    void everyCjkRangeSplitsAtBothEndsAndNotJustOutside() {
        WordPieceModel wp = wordPiece(new String[] {"[UNK]"}, 0, false, false);
        int[][] ranges = {{0x4E00, 0x9FFF}, {0x3400, 0x4DBF}, {0x20000, 0x2A6DF}, {0x2A700, 0x2B73F},
            {0x2B740, 0x2B81F}, {0x2B920, 0x2CEAF}, {0xF900, 0xFAFF}, {0x2F800, 0x2FA1F}};
        for (int[] r : ranges) {
            for (int inside : new int[] {r[0], r[1]}) {
                assertThat(wp.words("a" + cp(inside) + "b")).as("U+%X", inside).containsExactly("a", cp(inside), "b");
            }
        }
        // just outside (where that is not another range, a symbol that splits, or a skipped control char)
        for (int outside : new int[] {0x4DFF, 0xA000, 0x33FF, 0x4DC0, 0x1FFFF, 0x2A6E0, 0x2A6FF, 0x2B820, 0x2B91F,
            0x2CEB0, 0xFB00, 0x2F7FF, 0x2FA20}) {
            assertThat(wp.words("a" + cp(outside) + "b")).as("U+%X", outside).hasSize(1);
        }
    }

    @Test
    void whitespaceIsExactlyTheUnicodeSpaceSet() {
        int[] spaces = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2005, 0x200A, 0x2028, 0x2029,
            0x202F, 0x205F, 0x3000};
        for (int s : spaces) {
            assertThat(WordPieceModel.isWhitespace(s)).as("U+%X", s).isTrue();
        }
        for (int s : new int[] {0x08, 0x0E, 0x1F, 0x21, 0x84, 0x86, 0x9F, 0xA1, 0x167F, 0x1681, 0x1FFF, 0x200B, 0x2027,
            0x202A, 0x202E, 0x2030, 0x205E, 0x2060, 0x2FFF, 0x3001}) {
            assertThat(WordPieceModel.isWhitespace(s)).as("U+%X", s).isFalse();
        }
        WordPieceModel wp = wordPiece(new String[] {"[UNK]"}, 0, true, true);
        assertThat(wp.words("Ab\u3000cD\u00A0e")).containsExactly("ab", "cd", "e");
        // punctuation and ASCII symbols split; other symbols, marks (with accents kept) and letters do not
        assertThat(wp.words("a,b$c\u00A9d")).containsExactly("a", ",", "b", "$", "c\u00A9d");
        assertThat(wp.words("caf\u00E9\u0000\uFFFD!")).containsExactly("cafe", "!");
        assertThat(wordPiece(new String[] {"[UNK]"}, 0, false, false).words("Caf\u00E9")).containsExactly("Caf\u00E9");
    }

    @Test
    void wordPieceMatchesLongestFirstAndGivesOneUnknownForAWordItCannotFinish() {
        String[] texts = {"[UNK]", "\u2581ab", "c", "\u2581a", "b", "\u2581abcdefgh"};
        WordPieceModel wp = wordPiece(texts, 0, true, true);
        assertThat(encode(wp, "abc")).containsExactly(1, 2);
        assertThat(encode(wp, "ab b")).containsExactly(1, 0);
        // "▁ab" matches, then "d" does not: the whole word is one [UNK], not "▁ab" + [UNK]
        assertThat(encode(wp, "abd c")).containsExactly(0, 0);
        assertThat(encode(wp, "abcdefgh")).containsExactly(5);
        assertThat(encode(wp, "abcdefghc")).containsExactly(5, 2);
        // without an unknown token a failed word gives nothing
        assertThat(encode(wordPiece(texts, -1, true, true), "abd ab")).containsExactly(1);
    }

    private static int[] encode(TextModel model, String text) {
        IntList out = new IntList(4);
        model.encode(text, out);
        return out.toArray();
    }

    @Test
    void byteLevelCharactersRoundTripEveryByte() {
        for (int b = 0; b < 256; b++) {
            char c = ByteLevel.charOf(b);
            assertThat(ByteLevel.byteOf(c)).as("byte %d", b).isEqualTo(b);
            assertThat(ByteLevel.charOf(b - 256)).isEqualTo(c);
        }
        assertThat(ByteLevel.charOf(' ')).isEqualTo('\u0120');
        assertThat(ByteLevel.charOf('a')).isEqualTo('a');
        assertThat(ByteLevel.byteOf(-1)).isEqualTo(-1);
        assertThat(ByteLevel.byteOf(0x4E00)).isEqualTo(-1);
        assertThat(ByteLevel.byteOf(0x10FFFF)).isEqualTo(-1);
    }

    @Test
    void byteLevelEncodesUtf8OfEveryLengthAndLoneSurrogatesAsReplacement() {
        for (String s : List.of("a", "\u007F", "\u0080", "\u00E9", "\u07FF", "\u0800", "\u4E2D", "\uFFFF",
                "\uD83D\uDE00", "x\uDBFF\uDFFFy")) {
            StringBuilder out = ByteLevel.encode(s, 0, s.length(), new StringBuilder("junk"));
            assertThat(ByteLevel.decode(out.toString())).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
            assertThat(out.length()).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
        String lone = "a\uD800b";
        assertThat(ByteLevel.decode(ByteLevel.encode(lone, 0, lone.length(), new StringBuilder()).toString()))
                .isEqualTo("a\uFFFDb".getBytes(StandardCharsets.UTF_8));
        assertThat(ByteLevel.encode("xaby", 1, 3, new StringBuilder()).toString()).isEqualTo("ab");
    }

    @Test
    void byteLevelDecodeKeepsCharactersOutsideTheMapAsTheirUtf8() {
        assertThat(ByteLevel.decode("a\u0120b")).isEqualTo("a b".getBytes(StandardCharsets.UTF_8));
        assertThat(ByteLevel.decode("")).isEmpty();
        assertThat(ByteLevel.decode("a\u4E2D\u0120\uD83D\uDE00")).isEqualTo(
                "a\u4E2D \uD83D\uDE00".getBytes(StandardCharsets.UTF_8));
        assertThat(ByteLevel.decode("\u4E2D")).isEqualTo("\u4E2D".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void vocabularyChecksIdsAndReportsItsSpecialTokens() {
        Map<String, GgufValue> md = new LinkedHashMap<>();
        md.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        md.put("tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"<unk>", "<s>", "</s>", "a", "<x>"}));
        md.put("tokenizer.ggml.scores", GgufValue.ofFloats(new float[] {0, 0, 0, -1.5f, 0}));
        md.put("tokenizer.ggml.token_type", GgufValue.ofInts(new int[] {2, 3, 3, 1, 4}));
        Vocabulary v = Tokenizer.fromGguf(new GgufMetadata(md)).vocabulary();
        assertThat(v.unknownId()).isZero();
        assertThat(v.separatorId()).isEqualTo(-1);
        assertThat(v.score(3)).isEqualTo(-1.5f);
        assertThat(v.isControl(1)).isTrue();
        assertThat(v.isControl(3)).isFalse();
        assertThat(v.isControl(4)).isFalse();
        assertThat(v.isSpecial(0)).isTrue();
        assertThat(v.isSpecial(1)).isTrue();
        assertThat(v.isSpecial(4)).isTrue();
        assertThat(v.isSpecial(3)).isFalse();
        assertThat(v.isEndOfGeneration(-1)).isFalse();
        assertThat(v.isEndOfGeneration(2)).isTrue();
        for (int bad : new int[] {-1, 5}) {
            assertThatThrownBy(() -> v.type(bad)).isInstanceOf(TokenizerException.class)
                    .hasMessageContaining("token id " + bad + " is out of range [0, 5)");
            assertThatThrownBy(() -> v.score(bad)).isInstanceOf(TokenizerException.class);
            assertThatThrownBy(() -> v.text(bad)).isInstanceOf(TokenizerException.class);
            assertThatThrownBy(() -> v.isControl(bad)).isInstanceOf(TokenizerException.class);
        }
        assertThat(v.type(4)).isEqualTo(TokenType.USER_DEFINED);
        assertThat(v.text(4)).isEqualTo("<x>");
    }
}
