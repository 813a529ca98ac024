package ai.sluice.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.gguf.GgufValue;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Special tokens cut out of raw text (order, edges, strip flags), and streamed decoding that never splits a character. */
class SplitterAndStreamDecoderTest {
    private static final int NORMAL = Vocabulary.ATTR_NORMAL;
    private static final int CONTROL = Vocabulary.ATTR_CONTROL;
    private static final int USER = Vocabulary.ATTR_USER_DEFINED;
    private static final int UNKNOWN = Vocabulary.ATTR_UNKNOWN;

    /** texts[i] with attrs[i]. */
    private static Vocabulary vocabulary(String[] texts, int[] attrs) {
        TokenType[] types = new TokenType[texts.length];
        Arrays.fill(types, TokenType.NORMAL);
        return new Vocabulary(texts, new float[texts.length], types, attrs, new BitSet(), -1, -1, -1, -1);
    }

    private static int[] split(SpecialTokenSplitter s, String text) {
        return s.split(text).toArray();
    }

    private static final String[] TEXTS = {"<unk>", "<ctl>", "<u>", "<u><v>", "ab", "bc", "plain", "", "<v>"};
    private static final int[] ATTRS = {UNKNOWN, CONTROL, USER, USER, USER, USER, NORMAL, USER, USER};

    @Test
    void addedTokensAlwaysControlAndUnknownOnlyWhenParsingSpecialText() {
        Vocabulary v = vocabulary(TEXTS, ATTRS);
        SpecialTokenSplitter added = new SpecialTokenSplitter(v, false);
        SpecialTokenSplitter all = new SpecialTokenSplitter(v, true);
        String text = "x<ctl>y<unk>z<u>plain";
        assertThat(split(added, text)).containsExactly(0, 13, -1, 13, 16, 2, 16, 21, -1);
        assertThat(split(all, text)).containsExactly(0, 1, -1, 1, 6, 1, 6, 7, -1, 7, 12, 0, 12, 13, -1, 13, 16, 2,
                16, 21, -1);
    }

    @Test
    void emptyTextHasNoFragmentsAndTextWithoutCandidatesIsOneFragment() {
        Vocabulary v = vocabulary(TEXTS, ATTRS);
        assertThat(split(new SpecialTokenSplitter(v, true), "")).isEmpty();
        assertThat(split(new SpecialTokenSplitter(v, true), "nothing")).containsExactly(0, 7, -1);
        Vocabulary none = vocabulary(new String[] {"a", "b"}, new int[] {NORMAL, NORMAL});
        assertThat(split(new SpecialTokenSplitter(none, true), "ab")).containsExactly(0, 2, -1);
    }

    @Test
    void longerCandidatesGoFirstAndEqualLengthsByLowerId() {
        SpecialTokenSplitter s = new SpecialTokenSplitter(vocabulary(TEXTS, ATTRS), false);
        // "<u><v>" (6 chars) wins over "<u>" and "<v>"
        assertThat(split(s, "<u><v><v>")).containsExactly(0, 6, 3, 6, 9, 8);
        // "ab" (id 4) before "bc" (id 5)
        assertThat(split(s, "abc")).containsExactly(0, 2, 4, 2, 3, -1);
        assertThat(split(s, "bcab")).containsExactly(0, 2, 5, 2, 4, 4);
    }

    @Test
    void tokensAtTheEdgesAndRepeated() {
        SpecialTokenSplitter s = new SpecialTokenSplitter(vocabulary(TEXTS, ATTRS), false);
        assertThat(split(s, "<v>")).containsExactly(0, 3, 8);
        assertThat(split(s, "x<v>")).containsExactly(0, 1, -1, 1, 4, 8);
        assertThat(split(s, "<v>x<v><v>")).containsExactly(0, 3, 8, 3, 4, -1, 4, 7, 8, 7, 10, 8);
        assertThat(split(s, "<v")).containsExactly(0, 2, -1);
    }

    @Test
    void lstripAndRstripSwallowCSpacesOnTheirSide() {
        String[] texts = {"<l>", "<r>", "x"};
        int[] attrs = {USER | Vocabulary.ATTR_LSTRIP, USER | Vocabulary.ATTR_RSTRIP, NORMAL};
        SpecialTokenSplitter s = new SpecialTokenSplitter(vocabulary(texts, attrs), false);
        assertThat(split(s, "a \t\r\n<l>b")).containsExactly(0, 1, -1, 1 + 4, 8, 0, 8, 9, -1);
        assertThat(split(s, " <l>")).containsExactly(1, 4, 0);
        assertThat(split(s, "<l><l>")).containsExactly(0, 3, 0, 3, 6, 0);
        assertThat(split(s, "a<r> \u000B\fb")).containsExactly(0, 1, -1, 1, 4, 1, 7, 8, -1);
        assertThat(split(s, "<r>  ")).containsExactly(0, 3, 1);
        // backspace and shift-out are not C spaces
        assertThat(split(s, "a\b<l>")).containsExactly(0, 2, -1, 2, 5, 0);
        assertThat(split(s, "<r>\u000Eb")).containsExactly(0, 3, 1, 3, 5, -1);
    }

    // ---- streaming ----

    private static Tokenizer bytes() {
        String[] tokens = {"<unk>", "<s>", "</s>", "\u2581a", "\u2581b", "<0xE4>", "<0xB8>", "<0xAD>", "<0xC3>",
            "<0xA9>", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "<0xF8>", "\u2581" + "x".repeat(100), "c"};
        int[] types = new int[tokens.length];
        Arrays.fill(types, 1);
        types[0] = 2;
        types[1] = 3;
        types[2] = 3;
        for (int i = 5; i <= 14; i++) {
            types[i] = 6;
        }
        Map<String, GgufValue> md = new LinkedHashMap<>();
        md.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        md.put("tokenizer.ggml.tokens", GgufValue.ofStrings(tokens));
        md.put("tokenizer.ggml.token_type", GgufValue.ofInts(types));
        return Tokenizer.fromGguf(new GgufMetadata(md));
    }

    @Test
    void charactersComeOutOnlyWhenComplete() {
        StreamDecoder d = bytes().newStreamDecoder();
        assertThat(d.push(3)).isEqualTo("a");
        assertThat(d.push(4)).isEqualTo(" b");
        assertThat(d.push(5)).isEmpty();
        assertThat(d.push(6)).isEmpty();
        assertThat(d.push(7)).isEqualTo("\u4E2D");
        assertThat(d.push(8)).isEmpty();
        assertThat(d.push(9)).isEqualTo("\u00E9");
        // a 4-byte emoji: U+1F600 is F0 9F 98 80
        assertThat(d.push(10)).isEmpty();
        assertThat(d.push(11)).isEmpty();
        assertThat(d.push(12)).isEmpty();
        assertThat(d.push(13)).isEqualTo("\uD83D\uDE00");
        assertThat(d.push(16)).isEqualTo("c");
        assertThat(d.flush()).isEmpty();
    }

    @Test
    void brokenBytesAreNotHeldForever() {
        StreamDecoder d = bytes().newStreamDecoder();
        // F8 can start no sequence: out at once
        assertThat(d.push(14)).isEqualTo("\uFFFD");
        // a stray continuation byte: out at once
        assertThat(d.push(13)).isEqualTo("\uFFFD");
        // an unfinished sequence comes out on flush
        assertThat(d.push(5)).isEmpty();
        assertThat(d.push(6)).isEmpty();
        assertThat(d.flush()).isEqualTo("\uFFFD");
        assertThat(d.flush()).isEmpty();
        // a new lead byte completes nothing before it: the unfinished one is released broken
        assertThat(d.push(8)).isEmpty();
        assertThat(d.push(16)).isEqualTo("\uFFFDc");
    }

    @Test
    void longPiecesGrowTheBufferAndOnlyTheFirstPieceLosesItsSpace() {
        StreamDecoder d = bytes().newStreamDecoder();
        assertThat(d.push(15)).isEqualTo("x".repeat(100));
        assertThat(d.push(5)).isEmpty();
        assertThat(d.push(15)).isEqualTo("\uFFFD " + "x".repeat(100));
        StreamDecoder fresh = bytes().newStreamDecoder();
        for (int i = 0; i < 20; i++) {
            assertThat(fresh.push(5)).isEmpty();
            assertThat(fresh.push(6)).isEmpty();
            assertThat(fresh.push(7)).isEqualTo("\u4E2D");
        }
        assertThat(bytes().decode(new int[] {3, 4, 5, 6, 7})).isEqualTo("a b\u4E2D");
    }
}
