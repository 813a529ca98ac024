package ai.sluice.core.tokenizer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * decode(encode(s)) == s for SentencePiece and byte-level BPE vocabularies, over random text mixing
 * scripts, emoji (surrogate pairs, ZWJ sequences), combining marks, digits and whitespace runs.
 * (Vocabularies with clean-up of spaces before punctuation cannot round-trip " ," and are left out.)
 */
class RoundTripTest {
    private static final String[] PIECES = {
        "a", "Z", "hello", " world", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "0", "42", "1234567", ".", ",", "!", "?",
        "'s", "'ll", "-", "_", "(", ")", "{", "}", "\"", "é", "ñ", "ß", "Ä", "нещо", "Български", "日本語", "我想",
        "한국어", "ខលចេញ", "ا", "עברית", "🦙", "😁", "🚀", "😶‍🌫️", "👩🏽‍💻", "e\u0301", "\u00a0", "\u3000", "ｆｕｌｌ", "𝔘𝔫𝔦",
        "~", "$", "%", "&", "*", "+", "=", "|", "/", "\\", "`", "^", "@", "#", ":", ";", "\u200b",
    };

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "qwen2", "qwen35", "deepseek-llm", "deepseek-coder", "command-r"})
    void decodeInvertsEncode(String name) {
        Tokenizer tokenizer = SharedTokenizers.vocab(name);
        Random random = new Random(name.hashCode());
        for (int round = 0; round < 300; round++) {
            StringBuilder text = new StringBuilder();
            int n = 1 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                text.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String s = text.toString();
            assertThat(tokenizer.decode(tokenizer.encode(s, false, false))).as("round trip of %s", s).isEqualTo(s);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "qwen2"})
    void everyCharacterOfTheBasicPlaneSurvives(String name) {
        Tokenizer tokenizer = SharedTokenizers.vocab(name);
        StringBuilder text = new StringBuilder();
        for (int cp = 0x20; cp < 0xD800; cp += 7) {
            if (Character.isDefined(cp) && cp != 0x2581) {
                text.appendCodePoint(cp);
            }
        }
        String s = text.toString();
        assertThat(tokenizer.decode(tokenizer.encode(s, false, false))).isEqualTo(s);
    }
}
