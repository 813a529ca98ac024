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
}
