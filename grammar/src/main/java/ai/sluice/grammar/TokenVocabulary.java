package ai.sluice.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model's vocabulary as byte strings, arranged as a trie so one walk checks every token against a
 * grammar state, sharing the work of common prefixes. Tokens given as null or empty (control tokens
 * such as BOS/EOS, which no text produces) are never allowed by a grammar. Immutable.
 *
 * <p>Nodes are numbered in depth-first order and tokens are listed in byte order, so the tokens of a
 * node's whole subtree are one contiguous range of {@link #order}.
 */
public final class TokenVocabulary {
    private final byte[][] tokens;
    /** Token ids sorted by their bytes (only tokens with text). */
    final int[] order;
    /** Per node: tokens spelled exactly by the node's path are order[exactFrom..exactTo), its subtree's to subtreeTo. */
    final int[] exactFrom;
    final int[] exactTo;
    final int[] subtreeTo;
    final int[] firstChild;
    final int[] nextSibling;
    final byte[] edge;
    private int nodes;

    public TokenVocabulary(byte[][] tokenBytes) {
        this.tokens = tokenBytes.clone();
        List<Integer> ids = new ArrayList<>();
        for (int t = 0; t < tokens.length; t++) {
            if (tokens[t] != null && tokens[t].length > 0) {
                ids.add(t);
            }
        }
        ids.sort((a, b) -> Arrays.compareUnsigned(tokens[a], tokens[b]));
        this.order = ids.stream().mapToInt(Integer::intValue).toArray();
        long bytes = 1;
        for (int t : order) {
            bytes += tokens[t].length;
        }
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, bytes);
        exactFrom = new int[cap];
        exactTo = new int[cap];
        subtreeTo = new int[cap];
        firstChild = new int[cap];
        nextSibling = new int[cap];
        edge = new byte[cap];
        build(0, order.length, 0, (byte) 0);
    }

    /** Builds the node for tokens order[lo..hi), which share their first {@code depth} bytes. */
    private int build(int lo, int hi, int depth, byte via) {
        int node = nodes++;
        edge[node] = via;
        firstChild[node] = -1;
        nextSibling[node] = -1;
        int i = lo;
        while (i < hi && tokens[order[i]].length == depth) {
            i++;
        }
        exactFrom[node] = lo;
        exactTo[node] = i;
        subtreeTo[node] = hi;
        int last = -1;
        while (i < hi) {
            byte b = tokens[order[i]][depth];
            int j = i + 1;
            while (j < hi && tokens[order[j]][depth] == b) {
                j++;
            }
            int child = build(i, j, depth + 1, b);
            if (last < 0) {
                firstChild[node] = child;
            } else {
                nextSibling[last] = child;
            }
            last = child;
            i = j;
        }
        return node;
    }

    /** Number of token ids (including those without text). */
    public int size() {
        return tokens.length;
    }

    /** The bytes of one token, or null when no text produces it. */
    public byte[] bytes(int token) {
        byte[] b = tokens[token];
        return b == null || b.length == 0 ? null : b;
    }

    int nodeCount() {
        return nodes;
    }
}
