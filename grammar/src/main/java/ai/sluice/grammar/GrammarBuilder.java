package ai.sluice.grammar;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects named rules as {@link Expr} trees and lowers them to a flat {@link Grammar}: nested
 * alternatives and repetitions become anonymous rules (shared when equal), bounded repetitions a
 * chain of optional rules. Rejects references to undefined rules and left recursion (a rule that can
 * reach itself without consuming a byte), which a top-down automaton cannot run.
 */
public final class GrammarBuilder {
    /**
     * The most elements a grammar may lower to. Bounded repetitions are unrolled, so nested ones
     * multiply ({@code (a{4096}){4096}} is 16 million); a request must not be able to ask for that.
     */
    static final int MAX_ELEMENTS = 1 << 20;

    private final Map<String, Expr> rules = new LinkedHashMap<>();

    public GrammarBuilder define(String name, Expr body) {
        if (rules.putIfAbsent(name, body) != null) {
            throw new GrammarException("grammar", "rule '" + name + "' is defined twice");
        }
        return this;
    }

    public boolean has(String name) {
        return rules.containsKey(name);
    }

    public Grammar build(String root) {
        if (!rules.containsKey(root)) {
            throw new GrammarException("grammar", "no rule named '" + root + "'");
        }
        return new Lowering(rules).run(root);
    }

    private static final class Lowering {
        private final Map<String, Expr> named;
        private final Map<String, Integer> ids = new HashMap<>();
        private final List<String> names = new ArrayList<>();
        private final List<Expr> bodies = new ArrayList<>();
        /** Anonymous rules (alternatives, repetitions) by the {@link #canonical} number of their expression. */
        private final Map<Integer, Integer> anonymous = new HashMap<>();
        /**
         * Hash-consing: one number per distinct expression, found once per instance from its kind and its
         * children's numbers. An expression is a DAG (a JSON Schema array uses its item twice), so the
         * records' own equals/hashCode, which walk it as a tree, take time exponential in its nesting:
         * 400 nested arrays in a request's schema hung a core.
         */
        private final Map<Expr, Integer> canon = new IdentityHashMap<>();
        private final Map<List<Object>, Integer> interned = new HashMap<>();
        private final Map<ByteSet, Integer> setIds = new HashMap<>();
        private final List<ByteSet> sets = new ArrayList<>();
        private final Deque<Integer> pending = new ArrayDeque<>();
        private byte[] kind = new byte[256];
        private int[] arg = new int[256];
        private int size;

        Lowering(Map<String, Expr> named) {
            this.named = named;
            for (Map.Entry<String, Expr> e : named.entrySet()) {
                ids.put(e.getKey(), names.size());
                names.add(e.getKey());
                bodies.add(e.getValue());
            }
        }

        Grammar run(String root) {
            List<int[]> alts = new ArrayList<>();
            for (int r = 0; r < names.size(); r++) {
                pending.add(r);
            }
            Map<Integer, int[]> byRule = new HashMap<>();
            while (!pending.isEmpty()) {
                int r = pending.poll();
                Expr body = bodies.get(r);
                List<Expr> options = body instanceof Expr.Alt a ? a.options() : List.of(body);
                int[] starts = new int[options.size()];
                for (int i = 0; i < starts.length; i++) {
                    starts[i] = size;
                    emit(options.get(i));
                    add(Grammar.END, 0);
                }
                byRule.put(r, starts);
            }
            for (int r = 0; r < names.size(); r++) {
                alts.add(byRule.get(r));
            }
            byte[] k = java.util.Arrays.copyOf(kind, size);
            int[] a = java.util.Arrays.copyOf(arg, size);
            int[][] alternatives = alts.toArray(int[][]::new);
            checkLeftRecursion(k, a, alternatives);
            return new Grammar(k, a, sets.toArray(ByteSet[]::new), alternatives, names.toArray(String[]::new),
                    ids.get(root));
        }

        private void emit(Expr e) {
            switch (e) {
                case Expr.Bytes b -> {
                    if (b.set().isEmpty()) {
                        throw new GrammarException("grammar", "an empty byte set matches nothing");
                    }
                    add(Grammar.BYTES, setIds.computeIfAbsent(b.set(), s -> {
                        sets.add(s);
                        return sets.size() - 1;
                    }));
                }
                case Expr.Seq s -> s.parts().forEach(this::emit);
                case Expr.Ref r -> {
                    Integer id = ids.get(r.rule());
                    if (id == null) {
                        throw new GrammarException("grammar", "rule '" + r.rule() + "' is used but not defined");
                    }
                    add(Grammar.REF, id);
                }
                case Expr.Alt a -> add(Grammar.REF, anonymousRule(a));
                case Expr.Repeat r -> emitRepeat(r);
            }
        }

        private int canonical(Expr e) {
            Integer known = canon.get(e);
            if (known != null) {
                return known;
            }
            List<Object> shape = switch (e) {
                case Expr.Bytes b -> List.of('b', b.set());
                case Expr.Ref r -> List.of('r', r.rule());
                case Expr.Seq s -> shape('s', s.parts());
                case Expr.Alt a -> shape('a', a.options());
                case Expr.Repeat r -> List.of('*', canonical(r.body()), r.min(), r.max());
            };
            Integer id = interned.get(shape);
            if (id == null) {
                id = interned.size();
                interned.put(shape, id);
            }
            canon.put(e, id);
            return id;
        }

        private List<Object> shape(char kind, List<Expr> children) {
            List<Object> out = new ArrayList<>(children.size() + 1);
            out.add(kind);
            for (Expr c : children) {
                out.add(canonical(c));
            }
            return out;
        }

        private void emitRepeat(Expr.Repeat r) {
            for (int i = 0; i < r.min(); i++) {
                emit(r.body());
            }
            if (r.max() < 0) {
                add(Grammar.REF, starRule(r.body()));
            } else if (r.max() > r.min()) {
                add(Grammar.REF, optionalChain(r.body(), r.max() - r.min()));
            }
        }

        /** S ::= body S | "" */
        private int starRule(Expr body) {
            int key = canonical(new Expr.Repeat(body, 0, -1));
            Integer id = anonymous.get(key);
            if (id != null) {
                return id;
            }
            int s = newRule("star");
            anonymous.put(key, s);
            bodies.set(s, new Expr.Alt(List.of(new Expr.Seq(List.of(body, Expr.ref(names.get(s)))), Expr.EMPTY)));
            return s;
        }

        /**
         * O_k ::= body O_(k-1) | "" ; O_1 ::= body | "". Built from O_1 up in a loop: k comes from a
         * request (up to {@link Expr.Repeat#MAX_COUNT}), too deep for one stack frame per step.
         */
        private int optionalChain(Expr body, int k) {
            Integer done = anonymous.get(canonical(new Expr.Repeat(body, 0, k)));
            if (done != null) {
                return done;
            }
            int inner = -1;
            for (int j = 1; j <= k; j++) {
                int key = canonical(new Expr.Repeat(body, 0, j));
                Integer id = anonymous.get(key);
                if (id == null) {
                    id = newRule("opt");
                    anonymous.put(key, id);
                    Expr first = inner < 0 ? body : new Expr.Seq(List.of(body, Expr.ref(names.get(inner))));
                    bodies.set(id, new Expr.Alt(List.of(first, Expr.EMPTY)));
                }
                inner = id;
            }
            return inner;
        }

        private int anonymousRule(Expr.Alt a) {
            int key = canonical(a);
            Integer id = anonymous.get(key);
            if (id != null) {
                return id;
            }
            int r = newRule("alt");
            anonymous.put(key, r);
            bodies.set(r, a);
            return r;
        }

        private int newRule(String prefix) {
            int id = names.size();
            String name = "#" + prefix + id; // '#' cannot start a user's rule name
            names.add(name);
            ids.put(name, id);
            bodies.add(Expr.EMPTY);
            pending.add(id);
            return id;
        }

        private void add(byte k, int a) {
            if (size == MAX_ELEMENTS) {
                throw new GrammarException("grammar", "the grammar is too large: it unrolls to more than "
                        + MAX_ELEMENTS + " elements (nested bounded repetitions multiply)");
            }
            if (size == kind.length) {
                kind = java.util.Arrays.copyOf(kind, size * 2);
                arg = java.util.Arrays.copyOf(arg, size * 2);
            }
            kind[size] = k;
            arg[size] = a;
            size++;
        }

        /** Left recursion: a rule reaching itself through references that can match the empty string. */
        private void checkLeftRecursion(byte[] k, int[] a, int[][] alts) {
            int n = alts.length;
            boolean[] nullable = new boolean[n];
            boolean changed = true;
            while (changed) {
                changed = false;
                for (int r = 0; r < n; r++) {
                    if (nullable[r]) {
                        continue;
                    }
                    for (int start : alts[r]) {
                        int p = start;
                        while (k[p] == Grammar.REF && nullable[a[p]]) {
                            p++;
                        }
                        if (k[p] == Grammar.END) {
                            nullable[r] = true;
                            changed = true;
                            break;
                        }
                    }
                }
            }
            List<List<Integer>> left = new ArrayList<>(n);
            for (int r = 0; r < n; r++) {
                List<Integer> out = new ArrayList<>();
                for (int start : alts[r]) {
                    for (int p = start; k[p] == Grammar.REF; p++) {
                        out.add(a[p]);
                        if (!nullable[a[p]]) {
                            break;
                        }
                    }
                }
                left.add(out);
            }
            rejectCycles(left);
        }

        /**
         * A depth-first walk of the left-edge references that fails on the first one back into a rule
         * still being walked. A loop with its own stack, not recursion: a repetition of a nullable
         * body ({@code (a?){0,4096}}) chains thousands of rules along left edges.
         */
        private void rejectCycles(List<List<Integer>> left) {
            int n = left.size();
            int[] color = new int[n]; // 0 not seen, 1 being walked, 2 done
            int[] rules = new int[n];
            int[] nextEdge = new int[n];
            for (int start = 0; start < n; start++) {
                if (color[start] != 0) {
                    continue;
                }
                int top = 0;
                rules[0] = start;
                nextEdge[0] = 0;
                color[start] = 1;
                while (top >= 0) {
                    List<Integer> edges = left.get(rules[top]);
                    if (nextEdge[top] == edges.size()) {
                        color[rules[top]] = 2;
                        top--;
                        continue;
                    }
                    int s = edges.get(nextEdge[top]++);
                    if (color[s] == 1) {
                        throw new GrammarException("grammar", "left recursion through rule '" + display(s)
                                + "' (a rule that can call itself before matching any byte)");
                    }
                    if (color[s] == 0) {
                        color[s] = 1;
                        top++;
                        rules[top] = s;
                        nextEdge[top] = 0;
                    }
                }
            }
        }

        private String display(int r) {
            return names.get(r);
        }
    }
}
