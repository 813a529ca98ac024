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
    /** Guards expansion depth (the builder rejects left recursion, so this is a safety net). */
    private static final int MAX_EXPANSION_DEPTH = 10_000;

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
            expand(new Stack(a, null), e, 0);
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
                expand(new Stack(s.pos + 1, s.parent), out, 0);
            }
        }
    }

    /** Pushes and pops until every stack reached by {@code s} is topped by a byte set. */
    void expand(Stack s, Expansion out, int depth) {
        if (depth > MAX_EXPANSION_DEPTH) {
            throw new GrammarException("grammar", "the grammar recurses without consuming input");
        }
        if (!out.seen.add(s)) {
            return;
        }
        int p = s.pos;
        switch (kind[p]) {
            case BYTES -> out.leaves.add(s);
            case END -> {
                Stack parent = s.parent;
                if (parent == null) {
                    out.accept = true;
                } else if (parent == Stack.CONTEXT) {
                    out.context = true;
                } else {
                    expand(parent, out, depth + 1);
                }
            }
            default -> {
                // a tail call continues straight in the caller's frame
                Stack cont = kind[p + 1] == END ? s.parent : new Stack(p + 1, s.parent);
                for (int a : alternatives[arg[p]]) {
                    expand(new Stack(a, cont), out, depth + 1);
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

        void clear() {
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
