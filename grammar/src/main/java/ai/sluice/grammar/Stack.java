package ai.sluice.grammar;

/**
 * One stack of the pushdown automaton, as an immutable linked list (stacks share their tails). The
 * top's {@code pos} is the next element to match in the grammar's flat element array; each parent's
 * {@code pos} is where its rule continues once the child's rule ends. A null parent is the bottom of
 * the document; {@link #CONTEXT} stands for "the rest of the stack, not looked at" in the
 * context-independent mask computation.
 */
final class Stack {
    static final Stack CONTEXT = new Stack(-1, null);

    final int pos;
    final Stack parent;
    final int depth;
    private final int hash;

    Stack(int pos, Stack parent) {
        this.pos = pos;
        this.parent = parent;
        this.depth = parent == null ? 1 : parent.depth + 1;
        this.hash = 31 * (parent == null ? 17 : parent.hash) + pos;
    }

    /** The top {@code keep} nodes over {@link #CONTEXT} (this stack itself when it is no deeper). */
    Stack truncate(int keep) {
        if (depth <= keep || this == CONTEXT) {
            return this;
        }
        return new Stack(pos, keep == 1 ? CONTEXT : parent.truncate(keep - 1));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Stack s) || s.hash != hash || s.pos != pos || s.depth != depth) {
            return false;
        }
        Stack a = parent;
        Stack b = s.parent;
        while (a != b) { // iterative: stacks can be deep
            if (a == null || b == null || a.hash != b.hash || a.pos != b.pos) {
                return false;
            }
            a = a.parent;
            b = b.parent;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
