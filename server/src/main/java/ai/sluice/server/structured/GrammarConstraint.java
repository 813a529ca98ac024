package ai.sluice.server.structured;

import ai.sluice.engine.TokenConstraint;
import ai.sluice.grammar.TokenGrammar;
import ai.sluice.grammar.TokenMatcher;

import java.util.Arrays;

/** A compiled grammar as the engine's {@link TokenConstraint}: one {@link TokenMatcher} per sequence. */
final class GrammarConstraint implements TokenConstraint {
    private final TokenGrammar grammar;

    GrammarConstraint(TokenGrammar grammar) {
        this.grammar = grammar;
    }

    @Override
    public State start() {
        TokenMatcher m = grammar.matcher();
        long[] own = new long[grammar.maskWords()];
        return new State() {
            @Override
            public void allowed(long[] bits) {
                // the model's vocabulary may be larger or smaller than the tokenizer's: copy what overlaps
                m.fillMask(own);
                int n = Math.min(own.length, bits.length);
                System.arraycopy(own, 0, bits, 0, n);
                Arrays.fill(bits, n, bits.length, 0L);
            }

            @Override
            public boolean complete() {
                return m.isComplete();
            }

            @Override
            public void accept(int token) {
                if (!m.accept(token)) {
                    throw new IllegalStateException("token " + token + " is not allowed by the grammar here");
                }
            }
        };
    }
}
