package ai.sluice.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * A compiled grammar over bytes, run as a nondeterministic pushdown automaton. Rules are stored flat:
 * each alternative is a run of elements (a byte set to match, or a reference to a rule) ended by an
 * END element. A stack of positions is one parse in progress; a state is the set of stacks after the
 * same input (see {@link GrammarState}). References in tail position replace their caller's frame
 * instead of pushing one, so right recursion (repetition) keeps stacks shallow. Built by
 * {@link GrammarBuilder}, which rejects left recursion. Immutable and thread-safe.
 */
public final class Grammar {
    static final byte BYTES = 0;
    static final byte REF = 1;
    static final byte END = 2;
    final byte[] kind;
    final int[] arg;
    final ByteSet[] sets;
    final int[][] alternatives;
    final String[] ruleNames;
    final int root;
    private final GrammarState start;

    Grammar(byte[] kind, int[] arg, ByteSet[] sets, int[][] alternatives, String[] ruleNames, int root) {
        this.kind = kind;
        this.arg = arg;
        this.sets = sets;
        this.alternatives = alternatives;
        this.ruleNames = ruleNames;
        this.root = root;
        Expansion e = new Expansion();
        for (int a : alternatives[root]) {
            expand(new Stack(a, null), e);
        }
        this.start = e.toState();
    }

    /** Before any input. */
    public GrammarState start() {
        return start;
    }

    /** The state after one more byte, or null when the byte is not allowed. */
    public GrammarState advance(GrammarState state, int b) {
        Expansion e = new Expansion();
        step(state.leaves, state.leaves.length, b, e);
        return e.dead() ? null : e.toState();
    }

    /** The state after {@code bytes}, or null when they leave the language. */
    public GrammarState advance(GrammarState state, byte[] bytes) {
        GrammarState s = state;
        for (int i = 0; i < bytes.length && s != null; i++) {
            s = advance(s, bytes[i] & 0xFF);
        }
        return s;
    }

    /** Whether {@code text} (UTF-8) is a complete document of this language. */
    public boolean matches(String text) {
        GrammarState s = advance(start, text.getBytes(StandardCharsets.UTF_8));
        return s != null && s.accepting;
    }

    /** Whether {@code text} (UTF-8) can be continued into a document of this language. */
    public boolean isPrefix(String text) {
        return advance(start, text.getBytes(StandardCharsets.UTF_8)) != null;
    }

    public int ruleCount() {
        return alternatives.length;
    }

    /** Matches byte {@code b} on each of {@code leaves[0..n)} and expands the survivors into {@code out}. */
    void step(Stack[] leaves, int n, int b, Expansion out) {
        for (int i = 0; i < n; i++) {
            Stack s = leaves[i];
            if (sets[arg[s.pos]].contains(b)) {
                expand(new Stack(s.pos + 1, s.parent), out);
            }
        }
    }

    /**
     * Pushes and pops until every stack reached by {@code s} is topped by a byte set. A loop over a
     * work list, not recursion: a repetition of a body that can match nothing ({@code (a?){0,4096}})
     * expands thousands of rules deep before the next byte. Alternatives are taken in order, depth
     * first, as the recursive walk did, so the leaves come out in the same order.
     *
     * <p>Without consuming input a stack can only grow by rules not yet on its left edge, so growth
     * past the number of rules is left recursion; the builder rejects it, this is a safety net.
     */
    void expand(Stack s, Expansion out) {
        int deepest = s.depth + alternatives.length + 1;
        out.push(s);
        while (out.work > 0) {
            out.work--;
            Stack next = out.pending[out.work];
            out.pending[out.work] = null;
            if (next.depth > deepest) {
                throw new GrammarException("grammar", "the grammar recurses without consuming input");
            }
            if (!out.seen.add(next)) {
                continue;
            }
            int p = next.pos;
            switch (kind[p]) {
                case BYTES -> out.leaves.add(next);
                case END -> {
                    Stack parent = next.parent;
                    if (parent == null) {
                        out.accept = true;
                    } else if (parent == Stack.CONTEXT) {
                        out.context = true;
                    } else {
                        out.push(parent);
                    }
                }
                default -> {
                    // a tail call continues straight in the caller's frame
                    Stack cont = kind[p + 1] == END ? next.parent : new Stack(p + 1, next.parent);
                    int[] alts = alternatives[arg[p]];
                    for (int i = alts.length - 1; i >= 0; i--) { // last pushed, first taken
                        out.push(new Stack(alts[i], cont));
                    }
                }
            }
        }
    }

    /** What one expansion round reached. Reused by the mask walk (one per trie depth). */
    static final class Expansion {
        final List<Stack> leaves = new ArrayList<>();
        final HashSet<Stack> seen = new HashSet<>();
        /** A stack ended at the bottom of the document. */
        boolean accept;
        /** A stack ended into {@link Stack#CONTEXT}. */
        boolean context;
        /** {@link #expand}'s work list (stacks still to expand); empty between calls. */
        private Stack[] pending = new Stack[64];
        private int work;

        void push(Stack s) {
            if (work == pending.length) {
                pending = java.util.Arrays.copyOf(pending, work * 2);
            }
            pending[work] = s;
            work++;
        }

        void clear() {
            java.util.Arrays.fill(pending, 0, work, null); // left over only by a refused expansion
            work = 0;
            leaves.clear();
            seen.clear();
            accept = false;
            context = false;
        }

        boolean dead() {
            return leaves.isEmpty() && !accept;
        }

        GrammarState toState() {
            return new GrammarState(leaves.toArray(Stack[]::new), accept);
        }
    }
}
