package ai.sluice.core.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StreamDecoderTest {

    @Test
    void emojiSplitOverByteFallbackTokensComesOutWhole() {
        Tokenizer tokenizer = SharedTokenizers.stories260K();
        int[] ids = tokenizer.encode("Hi 🦙!", false, false);
        long byteTokens = java.util.Arrays.stream(ids)
                .filter(id -> tokenizer.vocabulary().type(id) == TokenType.BYTE).count();
        assertThat(byteTokens).as("the emoji is spelled with 4 byte tokens").isEqualTo(4);

        StreamDecoder decoder = tokenizer.newStreamDecoder();
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(decoder.push(id));
        }
        pieces.add(decoder.flush());
        assertThat(pieces).noneMatch(p -> p.contains("\uFFFD"));
        assertThat(pieces).contains("🦙");
        assertThat(String.join("", pieces)).isEqualTo(tokenizer.decode(ids)).isEqualTo("Hi 🦙!");
    }

    @Test
    void streamingEqualsDecodingForByteLevelBpe() {
        Tokenizer tokenizer = SharedTokenizers.vocab("qwen2");
        String text = "Grüße 😁 aus 東京 — 3.14159\n\tend";
        int[] ids = tokenizer.encode(text, false, false);
        StreamDecoder decoder = tokenizer.newStreamDecoder();
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            String piece = decoder.push(id);
            assertThat(piece).doesNotContain("\uFFFD");
            out.append(piece);
        }
        out.append(decoder.flush());
        assertThat(out.toString()).isEqualTo(text);
    }

    @Test
    void anUnfinishedCharacterIsHeldUntilFlush() {
        Tokenizer tokenizer = SharedTokenizers.stories260K();
        int firstByteOfEmoji = tokenizer.vocabulary().id("<0xF0>");
        StreamDecoder decoder = tokenizer.newStreamDecoder();
        assertThat(decoder.push(firstByteOfEmoji)).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
        assertThat(decoder.flush()).isEmpty();
    }
}
