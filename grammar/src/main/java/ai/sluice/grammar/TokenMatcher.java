package ai.sluice.grammar;

/**
 * One sequence's position in a {@link TokenGrammar}: which tokens may come next, and the move past the
 * token picked. Not thread-safe (one per sequence); its state depends only on the tokens accepted, so
 * a sequence recomputed after preemption keeps it.
 */
public final class TokenMatcher {
    private final TokenGrammar grammar;
    private GrammarState state;

    TokenMatcher(TokenGrammar grammar, GrammarState start) {
        this.grammar = grammar;
        this.state = start;
    }

    /**
     * Overwrites {@code mask} (at least {@link TokenGrammar#maskWords()} words) with one bit per token
     * that may come next. End of sequence is the caller's: allow it when {@link #isComplete()}.
     */
    public void fillMask(long[] mask) {
        grammar.fillMask(state, mask);
    }

    /** Moves past {@code token}; false (and no move) when the grammar does not allow it. */
    public boolean accept(int token) {
        byte[] b = grammar.vocabulary().bytes(token);
        if (b == null) {
            return false;
        }
        GrammarState next = grammar.grammar().advance(state, b);
        if (next == null) {
            return false;
        }
        state = next;
        return true;
    }

    /** The text so far is a whole document: end of sequence may come now. */
    public boolean isComplete() {
        return state.isComplete();
    }

    /** Some token may still follow. */
    public boolean canContinue() {
        return state.canContinue();
    }

    public GrammarState state() {
        return state;
    }
}
