package ai.sluice.grammar;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A grammar bound to a vocabulary: computes which tokens may come next in a state, with two caches
 * shared by every sequence that uses this grammar.
 *
 * <p>The context-independent cache (the idea of xgrammar's adaptive token mask cache): a state's
 * stacks are cut to their top {@link #CONTEXT_DEPTH} frames over an unknown "context", and the token
 * trie is walked once for that cut state. A token whose bytes are matched entirely within the top
 * frames is accepted whatever lies below; one that fails there is rejected; only a token whose bytes
 * run on past the end of the top frames is "uncertain". Many full states share one cut state (a
 * string's characters look the same in every property of a schema), so the expensive walk runs once.
 * At run time only the uncertain tokens (typically a few hundred: those holding a closing quote
 * followed by more text) are checked against the full stacks; the result is kept per full state in
 * the exact cache, so a state seen before costs a lookup and a copy of the bit mask.
 */
public final class TokenGrammar {
    /** Frames of each stack the context-independent walk looks at. */
    static final int CONTEXT_DEPTH = 4;
    private static final int MAX_CONTEXT_ENTRIES = 512;
    private static final int MAX_EXACT_ENTRIES = 16_384;

    private final Grammar grammar;
    private final TokenVocabulary vocabulary;
    private final int words;
    private final Map<GrammarState, ContextEntry> contextCache = lru(MAX_CONTEXT_ENTRIES);
    private final Map<GrammarState, ExactEntry> exactCache = lru(MAX_EXACT_ENTRIES);
    private final AtomicLong walks = new AtomicLong();
    private final AtomicLong exactMisses = new AtomicLong();
    private final AtomicLong uncertainChecks = new AtomicLong();

    public TokenGrammar(Grammar grammar, TokenVocabulary vocabulary) {
        this.grammar = grammar;
        this.vocabulary = vocabulary;
        this.words = (vocabulary.size() + 63) >>> 6;
    }

    public Grammar grammar() {
        return grammar;
    }

    public TokenVocabulary vocabulary() {
        return vocabulary;
    }

    /** Words of 64 bits a mask over this vocabulary takes. */
    public int maskWords() {
        return words;
    }

    /** A matcher at the start of the language, for one sequence. */
    public TokenMatcher matcher() {
        return new TokenMatcher(this, grammar.start());
    }

    /** Trie walks run (cache misses of the context-independent cache), exact misses, uncertain tokens checked. */
    public long[] counters() {
        return new long[] {walks.get(), exactMisses.get(), uncertainChecks.get()};
    }

    /** Sets in {@code mask} exactly the tokens whose bytes keep {@code state} alive (end of sequence not included). */
    void fillMask(GrammarState state, long[] mask) {
        ExactEntry e;
        synchronized (exactCache) {
            e = exactCache.get(state);
        }
        if (e == null) {
            e = computeExact(state);
            synchronized (exactCache) {
                exactCache.put(state, e);
            }
        }
        System.arraycopy(e.context.accepted, 0, mask, 0, words);
        for (int t : e.extra) {
            mask[t >>> 6] |= 1L << t;
        }
    }

    private ExactEntry computeExact(GrammarState state) {
        exactMisses.incrementAndGet();
        GrammarState cut = cut(state);
        ContextEntry c;
        synchronized (contextCache) {
            c = contextCache.get(cut);
        }
        if (c == null) {
            c = walk(cut);
            synchronized (contextCache) {
                contextCache.put(cut, c);
            }
        }
        int[] extra = new int[c.uncertain.length];
        int n = 0;
        for (int t : c.uncertain) {
            if (grammar.advance(state, vocabulary.bytes(t)) != null) {
                extra[n++] = t;
            }
        }
        uncertainChecks.addAndGet(c.uncertain.length);
        return new ExactEntry(c, Arrays.copyOf(extra, n));
    }

    private static GrammarState cut(GrammarState state) {
        java.util.LinkedHashSet<Stack> top = new java.util.LinkedHashSet<>();
        for (Stack s : state.leaves) {
            top.add(s.truncate(CONTEXT_DEPTH));
        }
        return new GrammarState(top.toArray(Stack[]::new), false);
    }

    /** The context-independent walk of the whole trie from the cut state. */
    private ContextEntry walk(GrammarState cut) {
        walks.incrementAndGet();
        Walk w = new Walk();
        w.node(0, w.intern(cut.leaves, false, false), false);
        return new ContextEntry(w.accepted, Arrays.copyOf(w.uncertain, w.uncertainCount));
    }

    /**
     * One walk of the trie. The automaton's position after a byte depends only on its position before
     * it, so positions are interned and their transitions cached per byte: the walk is a DFA
     * traversal of the trie (a lookup per node) rather than a stack expansion per node.
     */
    private final class Walk {
        final long[] accepted = new long[words];
        int[] uncertain = new int[64];
        int uncertainCount;
        private final Map<Key, Position> positions = new java.util.HashMap<>();
        private final Grammar.Expansion expansion = new Grammar.Expansion();

        /** A set of stacks (plus whether a stack ended at the bottom or into the context) and its transitions. */
        final class Position {
            final Stack[] leaves;
            final boolean accept;
            final boolean context;
            final long[] bytes = new long[4];
            private Position[] next;

            Position(Stack[] leaves, boolean accept, boolean context) {
                this.leaves = leaves;
                this.accept = accept;
                this.context = context;
                for (Stack st : leaves) {
                    ByteSet set = grammar.sets[grammar.arg[st.pos]];
                    for (int k = 0; k < 4; k++) {
                        bytes[k] |= set.word(k);
                    }
                }
            }

            boolean takes(int b) {
                return (bytes[b >>> 6] & (1L << b)) != 0;
            }

            Position after(int b) {
                if (next == null) {
                    next = new Position[256];
                }
                Position p = next[b];
                if (p == null) {
                    expansion.clear();
                    grammar.step(leaves, leaves.length, b, expansion);
                    p = intern(expansion.leaves.toArray(Stack[]::new), expansion.accept, expansion.context);
                    next[b] = p;
                }
                return p;
            }
        }

        private record Key(GrammarState state, boolean context) {
        }

        Position intern(Stack[] leaves, boolean accept, boolean context) {
            return positions.computeIfAbsent(new Key(new GrammarState(leaves.clone(), accept), context),
                    k -> new Position(k.state().leaves, accept, context));
        }

        void node(int node, Position at, boolean pending) {
            TokenVocabulary v = vocabulary;
            for (int c = v.firstChild[node]; c >= 0; c = v.nextSibling[c]) {
                int b = v.edge[c] & 0xFF;
                if (!at.takes(b)) {
                    if (pending) {
                        markUncertain(v.exactFrom[c], v.subtreeTo[c]);
                    }
                    continue;
                }
                Position to = at.after(b);
                boolean alive = to.leaves.length > 0 || to.accept || to.context;
                if (alive) {
                    for (int i = v.exactFrom[c]; i < v.exactTo[c]; i++) {
                        int t = v.order[i];
                        accepted[t >>> 6] |= 1L << t;
                    }
                } else if (pending) {
                    markUncertain(v.exactFrom[c], v.exactTo[c]);
                }
                boolean deeperPending = pending || to.context;
                if (to.leaves.length > 0) {
                    node(c, to, deeperPending);
                } else if (deeperPending) {
                    markUncertain(v.exactTo[c], v.subtreeTo[c]);
                }
            }
        }

        private void markUncertain(int from, int to) {
            int n = to - from;
            if (n <= 0) {
                return;
            }
            if (uncertainCount + n > uncertain.length) {
                uncertain = Arrays.copyOf(uncertain, Math.max(uncertain.length * 2, uncertainCount + n));
            }
            System.arraycopy(vocabulary.order, from, uncertain, uncertainCount, n);
            uncertainCount += n;
        }
    }

    private record ContextEntry(long[] accepted, int[] uncertain) {
    }

    private record ExactEntry(ContextEntry context, int[] extra) {
    }

    private static <K, V> Map<K, V> lru(int max) {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }
}
