package ai.sluice.grammar;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Where a pushdown automaton stands after some bytes: the stacks still alive (each topped by a byte
 * set to match next) and whether the document may end here. Immutable; equal states are equal
 * objects, so states key the mask caches.
 */
public final class GrammarState {
    private static final Comparator<Stack> ORDER = Comparator.<Stack>comparingInt(Stack::hashCode)
            .thenComparingInt(s -> s.pos).thenComparingInt(s -> s.depth);

    final Stack[] leaves;
    final boolean accepting;
    private final int hash;

    GrammarState(Stack[] leaves, boolean accepting) {
        Arrays.sort(leaves, ORDER);
        this.leaves = leaves;
        this.accepting = accepting;
        int h = accepting ? 1 : 0;
        for (Stack s : leaves) {
            h = 31 * h + s.hashCode();
        }
        this.hash = h;
    }

    /** The document may end here (end of sequence allowed). */
    public boolean isComplete() {
        return accepting;
    }

    /** More bytes may follow. */
    public boolean canContinue() {
        return leaves.length > 0;
    }

    /** How many stacks are alive (ambiguity; for diagnostics). */
    public int stacks() {
        return leaves.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GrammarState s && s.hash == hash && s.accepting == accepting
                && Arrays.equals(s.leaves, leaves);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
