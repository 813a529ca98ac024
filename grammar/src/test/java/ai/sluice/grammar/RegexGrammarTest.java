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

    @Property(tries = 80)
    void generatedStringsMatchJavasRegex(@ForAll long seed) {
        String pattern = "[A-Z][a-z]{0,4}( [A-Z]\\.)?, (\\d{1,2}|x+y?)[!?]";
        Grammar g = RegexGrammar.grammar(pattern);
        String s = SchemaSamples.randomDocument(g, new Random(seed), 0.3, 200);
        assertThat(s).isNotNull();
        assertThat(Pattern.compile(pattern).matcher(s).matches()).as(s).isTrue();
    }

    @Test
    void anchorsAreSeenOnlyAtTheEnds() {
        RegexGrammar.Parsed both = RegexGrammar.parse("^ab$", "pattern", false);
        assertThat(both.anchoredStart()).isTrue();
        assertThat(both.anchoredEnd()).isTrue();
        RegexGrammar.Parsed none = RegexGrammar.parse("ab", "pattern", false);
        assertThat(none.anchoredStart()).isFalse();
        assertThat(none.anchoredEnd()).isFalse();
        assertThat(RegexGrammar.grammar("^a|b$").matches("b")).isTrue();
        assertThat(RegexGrammar.grammar("a\\$").matches("a$")).as("an escaped dollar is a character").isTrue();
        assertError("a^b", "anchors are supported only at the start and end");
        assertError("a$b", "anchors are supported only at the start and end");
    }

    @Test
    void escapes() {
        Grammar g = RegexGrammar.grammar("\\n\\t\\r\\f\\v\\0\\x41\\u00e9\\.\\-");
        assertThat(g.matches("\n\t\r\f\u000B\0Aé.-")).isTrue();
        assertThat(g.matches("\n\t\r\f\u000B\0Aéx-")).as("an escaped dot is a dot").isFalse();
        Grammar classes = RegexGrammar.grammar("\\d\\D\\w\\W\\s\\S");
        assertThat(classes.matches("7a_ \tx")).isTrue();
        assertThat(classes.matches("7ab\tx\t")).isFalse();
        assertThat(classes.matches("a7_ \tx")).isFalse();
        assertThat(RegexGrammar.grammar("\\s").matches("\u000B")).isTrue();
        assertThat(RegexGrammar.grammar("\\s").matches("\r")).isTrue();
        assertThat(RegexGrammar.grammar("\\w").matches("Z")).isTrue();
        assertThat(RegexGrammar.grammar("\\w").matches("-")).isFalse();
    }

    @Test
    void classes() {
        assertThat(RegexGrammar.grammar("[]a]+").matches("]a]")).as("']' first is literal").isTrue();
        assertThat(RegexGrammar.grammar("[^]a]").matches("b")).isTrue();
        assertThat(RegexGrammar.grammar("[^]a]").matches("]")).isFalse();
        assertThat(RegexGrammar.grammar("[a-]+").matches("-a")).isTrue();
        assertThat(RegexGrammar.grammar("[\\d_]+").matches("1_2")).isTrue();
        assertThat(RegexGrammar.grammar("[\\d_]+").matches("1a")).isFalse();
        assertThat(RegexGrammar.grammar("[\\d]").matches("d")).as("the escape letter is not in the class").isFalse();
        assertThat(RegexGrammar.grammar("[a-a]").matches("a")).as("a one-character range").isTrue();
        assertThat(RegexGrammar.grammar("[\\x41-\\x43]+").matches("ABC")).isTrue();
        assertThat(RegexGrammar.grammar("[\\x41-\\x43]+").matches("ABD")).isFalse();
        assertThat(RegexGrammar.grammar("[a-\\x63]").matches("c")).isTrue();
        assertThat(RegexGrammar.grammar("[\\]]").matches("]")).isTrue();
        assertThat(RegexGrammar.grammar("[😀-😂]").matches("😁")).isTrue();
        assertThat(RegexGrammar.grammar(".").matches("\n")).as("a dot is not a newline").isFalse();
        assertThat(RegexGrammar.grammar(".").matches("\r")).isTrue();
        assertError("[z-a]", "bad range in character class");
        assertError("[ab", "']' expected");
        assertError("[^\\s\\S]", "the character class matches no character");
        assertError("[\\uD800-\\uDFFF]", "the character class matches no character");
        assertError("a\\uDC00", "the character class matches no character");
        assertError("[a\\", "trailing backslash");
    }

    @Test
    void quantifiers() {
        Grammar g = RegexGrammar.grammar("a{2}b{1,}c{0,2}d*?e+?f??g*+");
        assertThat(g.matches("aabe")).isTrue();
        assertThat(g.matches("aabbccddeefggg")).isTrue();
        assertThat(g.matches("abe")).isFalse();
        assertThat(g.matches("aaccce")).isFalse();
        assertThat(g.matches("aabccce")).isFalse();
        assertThat(g.matches("aabeff")).isFalse();
        assertThat(RegexGrammar.grammar("a{b").matches("a{b")).as("a brace without a digit is literal").isTrue();
        assertThat(RegexGrammar.grammar("a{").matches("a{")).isTrue();
        assertThat(RegexGrammar.grammar("a{1}{2}").matches("aa")).isTrue();
        assertThat(RegexGrammar.grammar("a{0}b").matches("b")).isTrue();
        assertThat(RegexGrammar.grammar("a{9}").matches("a".repeat(9))).isTrue();
        assertThat(RegexGrammar.grammar("a{9}").matches("a".repeat(8))).isFalse();
        assertError("a{1,0}", "bad repetition {1,0}");
        assertError("a{3,1}", "bad repetition {3,1}");
        assertError("a{2", "'}' expected");
        assertError("a{0,100000}", "above " + Expr.Repeat.MAX_COUNT);
        assertError("*a", "nothing to repeat before '*'");
        assertError("a|+", "nothing to repeat before '+'");
        assertError("(?a)", "lookaround and inline flags");
    }

    @Test
    void groups() {
        assertThat(RegexGrammar.grammar("(?:ab)+").matches("abab")).isTrue();
        assertThat(RegexGrammar.grammar("(?<word>ab)c").matches("abc")).isTrue();
        assertThat(RegexGrammar.grammar("(a|)b").matches("b")).isTrue();
        assertError("(?<=a)b", "lookaround");
        assertError("(?<!a)b", "lookaround");
        assertError("(?!a)b", "lookaround");
        assertError("(?<name", "unterminated group name");
        assertError("(ab", "')' expected");
        assertError("ab)", "unexpected ')'");
    }

    @Test
    void unsupportedEscapesAreNamed() {
        assertError("\\bword", "'\\b' (an assertion) is not supported");
        assertError("\\Bx", "'\\B' (an assertion)");
        assertError("\\Ax", "'\\A' (an assertion)");
        assertError("x\\z", "'\\z' (an assertion)");
        assertError("x\\Z", "'\\Z' (an assertion)");
        assertError("\\9", "backreferences");
        assertError("\\q", "unknown escape '\\q'");
        assertError("\\xZ1", "bad hex escape");
        assertError("a\\", "trailing backslash");
    }

    @Test
    void errorsQuoteThePatternAndTheOffset() {
        assertThatThrownBy(() -> RegexGrammar.parse("ab[", "response_format.pattern", false))
                .isInstanceOfSatisfying(GrammarException.class, e -> {
                    assertThat(e.field()).isEqualTo("response_format.pattern");
                    assertThat(e.getMessage()).isEqualTo(
                            "cannot use the regular expression 'ab[': ']' expected (at offset 3)");
                });
    }

    @Test
    void inJsonStringsSpecialCharactersAreWrittenEscaped() {
        Grammar g = new GrammarBuilder().define("root", RegexGrammar.parse("a\"\\\\[\\n\\t\\r]", "pattern", true).expr())
                .build("root");
        assertThat(g.matches("a\\\"\\\\\\n")).isTrue();
        assertThat(g.matches("a\\\"\\\\\\t")).isTrue();
        assertThat(g.matches("a\\\"\\\\\\r")).isTrue();
        assertThat(g.matches("a\"\\\n")).as("raw quote, backslash and newline").isFalse();
        Grammar any = new GrammarBuilder().define("root", RegexGrammar.parse("[^a]", "pattern", true).expr()).build("root");
        assertThat(any.matches("\\\"")).isTrue();
        assertThat(any.matches("\"")).isFalse();
        assertThat(any.matches("\u0001")).as("no raw control character").isFalse();
        assertThat(any.matches(" ")).isTrue();
        assertThat(any.matches("!")).isTrue();
        assertThat(any.matches("#")).isTrue();
        assertThat(any.matches("[")).isTrue();
        assertThat(any.matches("]")).isTrue();
        assertThat(any.matches("€")).isTrue();
        assertThatThrownBy(() -> RegexGrammar.parse("[\\x01-\\x08]", "pattern", true))
                .isInstanceOfSatisfying(GrammarException.class, e -> {
                    assertThat(e.field()).isEqualTo("pattern");
                    assertThat(e.getMessage()).contains("only control characters");
                });
    }

    @Test
    void groupsNestAFewHundredDeep() {
        int max = TextCursor.MAX_NESTING;
        assertThat(RegexGrammar.grammar("(".repeat(max) + "a" + ")".repeat(max) + "b").matches("ab")).isTrue();
        assertThat(RegexGrammar.grammar("(a)".repeat(max + 10)).matches("a".repeat(max + 10)))
                .as("closed groups do not count").isTrue();
        assertError("(".repeat(max + 1) + "a" + ")".repeat(max + 1), "groups nested more than " + max + " deep");
    }

    private static void assertError(String pattern, String message) {
        assertThatThrownBy(() -> RegexGrammar.grammar(pattern)).as(pattern)
                .isInstanceOfSatisfying(GrammarException.class, e -> {
                    assertThat(e.field()).isEqualTo("regex");
                    assertThat(e.getMessage()).contains(message).contains("'" + pattern + "'").contains("(at offset ");
                });
    }
}
