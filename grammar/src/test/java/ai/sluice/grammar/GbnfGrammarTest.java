package ai.sluice.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GbnfGrammarTest {

    @Test
    void parsesLlamaCppStyleGrammars() {
        Grammar g = GbnfGrammar.parse("""
                # a tiny arithmetic language
                root ::= expr
                expr ::= term (("+" | "-") term)*
                term ::= num | "(" ws expr ws ")"
                num  ::= [1-9] [0-9]{0,3} | "0"
                ws ::= [ \\t]*
                """);
        assertThat(g.matches("1+(2-30)")).isTrue();
        assertThat(g.matches("(7))")).isFalse();
        assertThat(g.matches("(  7 )+0")).isTrue();
        assertThat(g.matches("01")).isFalse();
    }

    @Test
    void multiLineRulesInsideParentheses() {
        Grammar g = GbnfGrammar.parse("""
                root ::=
                  "{" (
                    "a" |
                    [^a-z\\n]+
                  )? "}"
                """);
        assertThat(g.matches("{}")).isTrue();
        assertThat(g.matches("{a}")).isTrue();
        assertThat(g.matches("{ÄÖ1}")).isTrue();
        assertThat(g.matches("{b}")).isFalse();
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> GbnfGrammar.parse("root ::= a\na ::= \"x")).isInstanceOf(GrammarException.class)
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> GbnfGrammar.parse("start ::= \"x\"")).hasMessageContaining("root");
        assertThatThrownBy(() -> GbnfGrammar.parse("root ::= root \"x\"")).hasMessageContaining("left recursion");
    }

    @Test
    void escapesInLiteralsAndClasses() {
        Grammar g = GbnfGrammar.parse("root ::= \"\\n\\t\\r\\x41\\u00e9\\U0001F600\\\\\\\"\\[\\]\\-\\^\\/\" [\\x30-\\x32]");
        assertThat(g.matches("\n\t\rAé😀\\\"[]-^/1")).isTrue();
        assertThat(g.matches("\n\t\rAé😀\\\"[]-^/3")).isFalse();
        assertThat(GbnfGrammar.parse("root ::= \"\" \"a\"").matches("a")).as("an empty literal").isTrue();
    }

    @Test
    void classesNegateAndTakeADashAtTheirEndLiterally() {
        Grammar g = GbnfGrammar.parse("root ::= [^a-c] [x-] .");
        assertThat(g.matches("dx€")).isTrue();
        assertThat(g.matches("ü-z")).isTrue();
        assertThat(g.matches("bx1")).isFalse();
        assertThat(g.matches("dyz")).isFalse();
        assertThat(g.matches("dx")).isFalse();
    }

    @Test
    void repetitions() {
        Grammar g = GbnfGrammar.parse("root ::= \"a\"{2} \"b\"{1,} \"c\"{ 0 , 2 } \"d\"* \"e\"+ \"f\"?");
        assertThat(g.matches("aabe")).isTrue();
        assertThat(g.matches("aabbbccddeef")).isTrue();
        assertThat(g.matches("abe")).as("{2} is exactly two").isFalse();
        assertThat(g.matches("aaccce")).as("{1,} needs one").isFalse();
        assertThat(g.matches("aabccce")).as("{0,2} is at most two").isFalse();
        assertThat(g.matches("aab")).as("+ needs one").isFalse();
        assertThat(g.matches("aabeff")).as("? is at most one").isFalse();
        int max = Expr.Repeat.MAX_COUNT;
        assertThat(GbnfGrammar.parse("root ::= \"a\"{" + max + "}").matches("a".repeat(max))).isTrue();
    }

    @Test
    void rulesEndAtNewlinesOrWhereTheNextRuleStarts() {
        Grammar g = GbnfGrammar.parse("root ::= x y # a comment\r\nx ::= \"1\"\ty ::= \"2\" | \"3\"\n\n");
        assertThat(g.matches("12")).isTrue();
        assertThat(g.matches("13")).isTrue();
        assertThat(g.matches("1")).isFalse();
        Grammar continued = GbnfGrammar.parse("root ::= \"a\" |\n  \"b\"");
        assertThat(continued.matches("b")).isTrue();
    }

    @Test
    void errorsSayWhatAndWhere() {
        assertError("root ::= \"a\"\n\nx ::= \"\\q\"", "line 3: unknown escape '\\q'");
        assertError("root ::= \"a\\", "line 1: trailing backslash");
        assertError("root ::= \"\\xZZ\"", "bad hex escape");
        assertError("root ::= [z-a]", "bad range in character class");
        assertError("root ::= [ab", "unterminated character class");
        assertError("root ::= [^\\x00-\\U0010FFFF]", "line 1: the character class matches no character");
        assertError("root ::= [\\uD800-\\uDFFF]", "the character class matches no character");
        assertError("root ::= \"ab", "unterminated string");
        assertError("root ::= (\"a\"", "')' expected");
        assertError("root ::= @", "unexpected '@'");
        assertError("root \"a\"", "'::=' expected after rule name 'root'");
        assertError("::= \"a\"", "a rule name was expected");
        assertError("root ::= \"a\"{3,1}", "bad repetition {3,1}");
        assertError("root ::= \"a\"{x}", "a number was expected");
        assertError("root ::= \"a\"{1", "'}' expected");
        assertError("root ::= \"a\"{99999999999}", "number too large");
        assertError("root ::= \"a\"{0,100000}", "above " + Expr.Repeat.MAX_COUNT);
        assertError("root ::= x", "rule 'x' is used but not defined");
        assertError("root ::= \"a\"\nroot ::= \"b\"", "rule 'root' is defined twice");
    }

    @Test
    void ruleNamesTakeLettersDigitsDashesAndUnderscores() {
        Grammar g = GbnfGrammar.parse("root ::= az-AZ_09 Zz 9a\naz-AZ_09 ::= \"x\"\nZz ::= \"y\"\n9a ::= \"z\"");
        assertThat(g.matches("xyz")).isTrue();
        for (char outside : new char[] {'`', '{', '@', '[', '/', ':'}) {
            assertThatThrownBy(() -> GbnfGrammar.parse("root ::= a" + outside + "b\na ::= \"x\"")).as("'" + outside + "'")
                    .isInstanceOf(GrammarException.class);
        }
    }

    @Test
    void aNewlineEndsARuleOnlyOutsideParentheses() {
        assertThat(GbnfGrammar.parse("root ::= (\"a\"\n \"b\")").matches("ab")).isTrue();
        assertError("root ::= \"a\"\n\"b\"", "line 2: a rule name was expected");
    }

    @Test
    void groupsNestAFewHundredDeep() {
        int max = TextCursor.MAX_NESTING;
        Grammar deep = GbnfGrammar.parse("root ::= " + "(".repeat(max) + "\"a\"" + ")".repeat(max) + " \"b\"");
        assertThat(deep.matches("ab")).isTrue();
        Grammar sideBySide = GbnfGrammar.parse("root ::= " + "(\"a\") ".repeat(max + 10));
        assertThat(sideBySide.matches("a".repeat(max + 10))).as("closed groups do not count").isTrue();
        assertError("root ::= " + "(".repeat(max + 1) + "\"a\"" + ")".repeat(max + 1),
                "groups nested more than " + max + " deep");
    }

    private static void assertError(String grammar, String message) {
        assertThatThrownBy(() -> GbnfGrammar.parse(grammar)).as(grammar)
                .isInstanceOfSatisfying(GrammarException.class, e -> {
                    assertThat(e.field()).isEqualTo("grammar");
                    assertThat(e.getMessage()).contains(message);
                });
    }
}
