package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.tokenizer.Tokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The engine's view of a core tokenizer: output text as llama.cpp prints it after the prompt. */
class DetokenizerTest {

    private static Tokenizer tokenizer() {
        try (GgufFile file = GgufFile.open(Stories260K.shared().resolve("models/stories260K.gguf"))) {
            return Tokenizer.fromGguf(file.metadata());
        }
    }

    private static String stream(Detokenizer.TextStream s, int[] tokens) {
        StringBuilder out = new StringBuilder();
        for (int t : tokens) {
            out.append(s.push(t));
        }
        return out.append(s.flush()).toString();
    }

    @Test
    void primedWithThePromptTheOutputIsTheOraclesText() {
        Tokenizer tokenizer = tokenizer();
        Detokenizer d = Detokenizer.of(tokenizer);
        for (Stories260K.Case c : Stories260K.oracle()) {
            assertThat(c.tokens()[0]).isEqualTo(tokenizer.vocabulary().bosId());
            assertThat(stream(d.newStream(c.tokens()), c.generated())).as(c.prompt()).isEqualTo(c.generatedText());
            // the prompt without its BOS primes the same way
            int[] noBos = Arrays.copyOfRange(c.tokens(), 1, c.tokens().length);
            assertThat(stream(d.newStream(noBos), c.generated())).isEqualTo(c.generatedText());
        }
    }

    @Test
    void unprimedTheFirstTokenLosesItsLeadingSpace() {
        Tokenizer tokenizer = tokenizer();
        int[] once = tokenizer.encode("Once upon", false, false);
        assertThat(stream(Detokenizer.of(tokenizer).newStream(), once)).isEqualTo("Once upon");
        // after a prompt the space stays: " Once upon"
        int[] prompt = tokenizer.encode("Hi", false, false);
        assertThat(stream(Detokenizer.of(tokenizer).newStream(prompt), once)).isEqualTo(" Once upon");
        assertThat(stream(Detokenizer.none().newStream(prompt), once)).isEmpty();
        Detokenizer plain = () -> token -> "x";
        assertThat(stream(plain.newStream(prompt), once)).isEqualTo("x".repeat(once.length));
    }
}
