package ai.sluice.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** llama.cpp's clean_spaces rules, each at its edges (string start and end, near misses). */
class SpaceCleanerTest {

    private static String clean(String s) {
        byte[] bytes = Arrays.copyOf(s.getBytes(StandardCharsets.UTF_8), s.length() + 4);
        Arrays.fill(bytes, s.length(), bytes.length, (byte) '#'); // bytes past the length must be ignored
        int n = SpaceCleaner.clean(bytes, s.length());
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    @Test
    void emptyAndSingleCharacterTextsStay() {
        assertThat(clean("")).isEmpty();
        assertThat(clean("a")).isEqualTo("a");
        assertThat(clean(" ")).isEqualTo(" ");
        assertThat(clean(".")).isEqualTo(".");
        assertThat(clean("'")).isEqualTo("'");
    }

    @Test
    void aSpaceBeforePunctuationGoes() {
        assertThat(clean("a ?")).isEqualTo("a?");
        assertThat(clean("a !")).isEqualTo("a!");
        assertThat(clean("a .")).isEqualTo("a.");
        assertThat(clean("a ,")).isEqualTo("a,");
        assertThat(clean(" .")).isEqualTo(".");
        assertThat(clean("Hi , you . Yes ! No ?")).isEqualTo("Hi, you. Yes! No?");
        // only one space goes, and other punctuation keeps its space
        assertThat(clean("a  .")).isEqualTo("a .");
        assertThat(clean("a ; b : c")).isEqualTo("a ; b : c");
        assertThat(clean("a. b")).isEqualTo("a. b");
        assertThat(clean("a\t.")).isEqualTo("a\t.");
    }

    @Test
    void aLoneApostropheLosesBothSpaces() {
        assertThat(clean("a ' b")).isEqualTo("a'b");
        assertThat(clean("rock ' n ' roll")).isEqualTo("rock'n'roll");
        // not lone: at the end, at the start, or touching a letter
        assertThat(clean("a '")).isEqualTo("a '");
        assertThat(clean("' b")).isEqualTo("' b");
        assertThat(clean("a 'b")).isEqualTo("a 'b");
        assertThat(clean("a' b")).isEqualTo("a' b");
        assertThat(clean("a ' ")).isEqualTo("a'");
    }

    @Test
    void theSpaceAfterALoneApostropheDoesNotStartAContraction() {
        // " ' " becomes "'", and the removed space must not make " 's" of what follows
        assertThat(clean("a ' 's")).isEqualTo("a''s");
        assertThat(clean("a ' s")).isEqualTo("a's");
        // punctuation goes first (as Hugging Face's replace order): " ?" leaves "a '?", no lone apostrophe
        assertThat(clean("a ' ?")).isEqualTo("a '?");
    }

    @Test
    void contractionsLoseTheSpaceBefore() {
        assertThat(clean("he 's")).isEqualTo("he's");
        assertThat(clean("I 'm")).isEqualTo("I'm");
        assertThat(clean("you 're")).isEqualTo("you're");
        assertThat(clean("we 've")).isEqualTo("we've");
        assertThat(clean("he 's here")).isEqualTo("he's here");
        // other letters, cut-off endings and missing spaces stay
        assertThat(clean("x 'd")).isEqualTo("x 'd");
        assertThat(clean("x 'll")).isEqualTo("x 'll");
        assertThat(clean("x 'r")).isEqualTo("x 'r");
        assertThat(clean("x 'v")).isEqualTo("x 'v");
        assertThat(clean("x 'ra")).isEqualTo("x 'ra");
        assertThat(clean("x 'vo")).isEqualTo("x 'vo");
        assertThat(clean("x 'e")).isEqualTo("x 'e");
        assertThat(clean("x's")).isEqualTo("x's");
        assertThat(clean("x '")).isEqualTo("x '");
    }

    @Test
    void allRulesTogether() {
        assertThat(clean("he 's sure , isn 't he ? I 'm , you 're ' right ' .")).isEqualTo(
                "he's sure, isn 't he? I'm, you're'right '.");
    }
}
