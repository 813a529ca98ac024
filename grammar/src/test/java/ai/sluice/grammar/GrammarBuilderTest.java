package ai.sluice.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GrammarBuilderTest {

    @Test
    void nestedRepetitionsThatUnrollPastTheBudgetAreRefused() {
        assertThatThrownBy(() -> RegexGrammar.grammar("(a{4096}){4096}")).isInstanceOf(GrammarException.class)
                .hasMessageContaining("too large");
        assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(SchemaSamples.parse("""
                {"type": "array", "minItems": 4096, "items": {"type": "string", "minLength": 4096}}""")))
                .isInstanceOf(GrammarException.class).hasMessageContaining("too large");
        assertThat(RegexGrammar.grammar("(a{1000}){20}").matches("a".repeat(20_000)))
                .as("a large grammar within the budget").isTrue();
    }

    @Test
    void theLongestRepetitionsCompileAndRun() {
        int max = Expr.Repeat.MAX_COUNT;
        Grammar optional = RegexGrammar.grammar("a{0," + max + "}");
        assertThat(optional.matches("a".repeat(max))).isTrue();
        assertThat(optional.matches("a".repeat(max + 1))).isFalse();
        Grammar nullableBody = RegexGrammar.grammar("(b?c?){0," + max + "}d");
        assertThat(nullableBody.matches("bcbd")).isTrue();
        assertThat(nullableBody.matches("d")).isTrue();
        Grammar chars = JsonSchemaGrammar.fromSchema(SchemaSamples.parse(
                "{\"type\": \"string\", \"minLength\": 1, \"maxLength\": " + max + "}"));
        assertThat(chars.matches("\"" + "x".repeat(max) + "\"")).isTrue();
        assertThat(chars.matches("\"" + "x".repeat(max + 1) + "\"")).isFalse();
    }

    @Test
    void repetitionBoundsAreChecked() {
        assertThatThrownBy(() -> Expr.repeat(Expr.EMPTY, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Expr.repeat(Expr.EMPTY, -1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Expr.repeat(Expr.EMPTY, 2, 2)).isEqualTo(new Expr.Repeat(Expr.EMPTY, 2, 2));
        assertThat(Expr.repeat(Expr.EMPTY, 0, 0)).isEqualTo(new Expr.Repeat(Expr.EMPTY, 0, 0));
        assertThat(Expr.repeat(Expr.EMPTY, 3, -1)).isEqualTo(new Expr.Repeat(Expr.EMPTY, 3, -1));
    }

    @Test
    void rulesAreDefinedOnceAndUsedOnlyWhenDefined() {
        GrammarBuilder b = new GrammarBuilder().define("root", Expr.ref("x"));
        assertThat(b.has("root")).isTrue();
        assertThat(b.has("x")).isFalse();
        assertThatThrownBy(() -> b.build("root")).hasMessageContaining("rule 'x' is used but not defined");
        assertThatThrownBy(() -> b.define("root", Expr.EMPTY)).hasMessageContaining("defined twice");
        assertThatThrownBy(() -> b.build("start")).hasMessageContaining("no rule named 'start'");
        b.define("x", Expr.literal("x"));
        assertThat(b.build("root").matches("x")).isTrue();
    }

    @Test
    void leftRecursionIsRefusedAlsoThroughRulesThatMatchNothing() {
        GrammarBuilder direct = new GrammarBuilder().define("root", Expr.alt(Expr.seq(Expr.ref("root"), Expr.literal("a")),
                Expr.literal("b")));
        assertThatThrownBy(() -> direct.build("root")).hasMessageContaining("left recursion through rule 'root'");
        GrammarBuilder hidden = new GrammarBuilder()
                .define("root", Expr.seq(Expr.ref("empty"), Expr.ref("root"), Expr.literal("a")))
                .define("empty", Expr.optional(Expr.literal("x")));
        assertThatThrownBy(() -> hidden.build("root")).hasMessageContaining("left recursion");
        Grammar right = new GrammarBuilder().define("root", Expr.alt(Expr.seq(Expr.literal("a"), Expr.ref("root")),
                Expr.EMPTY)).build("root");
        assertThat(right.matches("aaa")).as("right recursion is fine").isTrue();
    }

    @Test
    void theAutomatonStopsOnLeftRecursionTheBuilderWouldHaveRefused() {
        // root ::= root "a" | "b", built by hand past the builder's check
        byte[] kind = {Grammar.REF, Grammar.BYTES, Grammar.END, Grammar.BYTES, Grammar.END};
        int[] arg = {0, 0, 0, 1, 0};
        ByteSet[] sets = {ByteSet.of('a'), ByteSet.of('b')};
        assertThatThrownBy(() -> new Grammar(kind, arg, sets, new int[][] {{0, 3}}, new String[] {"root"}, 0))
                .isInstanceOf(GrammarException.class).hasMessageContaining("recurses without consuming input");
    }
}
