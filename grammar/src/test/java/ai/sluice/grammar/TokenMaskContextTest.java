package ai.sluice.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Masks where the context-independent walk cannot decide alone: brackets nested deeper than
 * {@link TokenGrammar#CONTEXT_DEPTH}, and tokens that close several of them at once, so whether a
 * token fits depends on frames below the cut (the "uncertain" tokens and the exact cache).
 */
class TokenMaskContextTest {
    /**
     * Every string over ( ) [ ] x of up to four characters, "x" and four to six closing brackets, a
     * token with no bytes and one with none at all.
     */
    private static TokenVocabulary vocabulary() {
        List<byte[]> v = new ArrayList<>();
        v.add(null);
        v.add(new byte[0]);
        List<String> level = List.of("");
        for (int len = 1; len <= 4; len++) {
            List<String> next = new ArrayList<>();
            for (String s : level) {
                for (char c : "()[]x".toCharArray()) {
                    next.add(s + c);
                }
            }
            next.forEach(s -> v.add(s.getBytes(StandardCharsets.US_ASCII)));
            level = next;
        }
        // closers longer than the cut: whether they fit is decided by the brackets below it
        List<String> closers = List.of("x");
        for (int len = 1; len <= 6; len++) {
            List<String> next = new ArrayList<>();
            for (String s : closers) {
                next.add(s + ")");
                next.add(s + "]");
            }
            if (len >= 4) {
                next.forEach(s -> v.add(s.getBytes(StandardCharsets.US_ASCII)));
            }
            closers = next;
        }
        return new TokenVocabulary(v.toArray(byte[][]::new));
    }

    private static final TokenVocabulary VOCABULARY = vocabulary();
    private static final Grammar BRACKETS = GbnfGrammar.parse("""
            root ::= item
            item ::= "(" body ")" | "[" body "]"
            body ::= "x" | item
            """);

    @Property(tries = 8)
    void masksEqualBruteForceAtEveryDepth(@ForAll long seed) {
        TokenGrammar tg = new TokenGrammar(BRACKETS, VOCABULARY);
        TokenMatcher m = tg.matcher();
        Random r = new Random(seed);
        long[] mask = new long[tg.maskWords()];
        int dive = 3 + r.nextInt(10); // open this many brackets first, then move freely
        for (int step = 0; step < 40 && m.canContinue(); step++) {
            m.fillMask(mask);
            List<Integer> allowed = new ArrayList<>();
            List<Integer> opening = new ArrayList<>();
            for (int t = 0; t < VOCABULARY.size(); t++) {
                byte[] b = VOCABULARY.bytes(t);
                boolean expected = b != null && b.length > 0 && BRACKETS.advance(m.state(), b) != null;
                assertThat((mask[t >>> 6] & (1L << t)) != 0).as("token %d (%s) at step %d", t,
                        b == null ? "null" : new String(b, StandardCharsets.US_ASCII), step).isEqualTo(expected);
                if (expected) {
                    allowed.add(t);
                    if (b[b.length - 1] == '(' || b[b.length - 1] == '[') {
                        opening.add(t);
                    }
                }
            }
            assertThat(allowed).isNotEmpty();
            List<Integer> pick = step < dive && !opening.isEmpty() ? opening : allowed;
            assertThat(m.accept(pick.get(r.nextInt(pick.size())))).isTrue();
        }
    }

    @Test
    void aStateSeenBeforeCostsNoWalkAndNoExactMiss() {
        TokenGrammar tg = new TokenGrammar(BRACKETS, VOCABULARY);
        TokenMatcher m = tg.matcher();
        long[] first = new long[tg.maskWords()];
        for (String open : List.of("((", "[(", "((")) {
            assertThat(m.accept(token(open))).isTrue();
        }
        m.fillMask(first);
        long[] before = tg.counters();
        long[] again = new long[tg.maskWords()];
        m.fillMask(again);
        assertThat(again).isEqualTo(first);
        assertThat(tg.counters()).as("walks, exact misses, uncertain checks").isEqualTo(before);
        assertThat(before[0]).as("one walk at least").isPositive();
        assertThat(before[1]).isPositive();
        assertThat(before[2]).as("six open brackets: tokens closing past the cut were checked in full").isPositive();
        TokenMatcher other = tg.matcher();
        for (String open : List.of("((", "[(", "((")) {
            other.accept(token(open));
        }
        other.fillMask(again);
        assertThat(again).as("another sequence in the same state").isEqualTo(first);
        assertThat(tg.counters()).isEqualTo(before);
    }

    @Test
    void theMatcherRefusesTokensWithoutMovingAndKnowsWhenTheDocumentIsComplete() {
        TokenMatcher m = new TokenGrammar(BRACKETS, VOCABULARY).matcher();
        assertThat(m.isComplete()).isFalse();
        assertThat(m.canContinue()).isTrue();
        assertThat(m.accept(0)).as("a token with no bytes to write").isFalse();
        assertThat(m.accept(token(")"))).isFalse();
        GrammarState start = m.state();
        assertThat(m.accept(token("x"))).isFalse();
        assertThat(m.state()).isSameAs(start);
        assertThat(m.accept(token("(x"))).isTrue();
        assertThat(m.isComplete()).isFalse();
        assertThat(m.accept(token(")"))).isTrue();
        assertThat(m.isComplete()).isTrue();
        assertThat(m.canContinue()).as("root is one item: nothing may follow").isFalse();
    }

    private static int token(String text) {
        byte[] want = text.getBytes(StandardCharsets.US_ASCII);
        for (int t = 0; t < VOCABULARY.size(); t++) {
            if (VOCABULARY.bytes(t) != null && java.util.Arrays.equals(VOCABULARY.bytes(t), want)) {
                return t;
            }
        }
        throw new AssertionError("no token " + text);
    }
}
