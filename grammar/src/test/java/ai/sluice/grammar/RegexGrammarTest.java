package ai.sluice.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class RegexGrammarTest {

    @Test
    void matchesWholeStrings() {
        Grammar g = RegexGrammar.grammar("(cat|dog)s?-[0-9]{2,3}\\.[a-fA-F]+");
        assertThat(g.matches("cats-12.fF")).isTrue();
        assertThat(g.matches("dog-123.a")).isTrue();
        assertThat(g.matches("dog-1.a")).isFalse();
        assertThat(g.matches("cow-12.a")).isFalse();
        assertThat(g.isPrefix("do")).isTrue();
    }

    @Test
    void classesCoverUnicodeAsUtf8() {
        Grammar g = RegexGrammar.grammar("[^a-z]+");
        assertThat(g.matches("ÄÖ€😀1")).isTrue();
        assertThat(g.matches("Äb")).isFalse();
        Grammar range = RegexGrammar.grammar("[à-ü]");
        assertThat(range.matches("é")).isTrue();
        assertThat(range.matches("ÿ")).isFalse();
    }

    @Test
    void unsupportedFeaturesAreErrors() {
        assertThatThrownBy(() -> RegexGrammar.grammar("(a)\\1")).isInstanceOf(GrammarException.class)
                .hasMessageContaining("backreferences");
        assertThatThrownBy(() -> RegexGrammar.grammar("a(?=b)")).isInstanceOf(GrammarException.class);
        assertThatThrownBy(() -> RegexGrammar.grammar("(a*)*")).isInstanceOf(GrammarException.class)
                .hasMessageContaining("left recursion");
    }

    @Property(tries = 200)
    void generatedStringsMatchJavasRegex(@ForAll long seed) {
        String pattern = "[A-Z][a-z]{0,4}( [A-Z]\\.)?, (\\d{1,2}|x+y?)[!?]";
        Grammar g = RegexGrammar.grammar(pattern);
        String s = SchemaSamples.randomDocument(g, new Random(seed), 0.3, 200);
        assertThat(s).isNotNull();
        assertThat(Pattern.compile(pattern).matcher(s).matches()).as(s).isTrue();
    }
}
