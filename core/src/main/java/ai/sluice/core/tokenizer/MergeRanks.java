package ai.sluice.core.tokenizer;

import java.util.Arrays;

/**
 * BPE merge ranks keyed by the pair of token ids (left, right), packed into one long: no string
 * is concatenated or hashed while encoding. Open addressing over primitive arrays.
 */
final class MergeRanks {
    private final long[] keys;
    private final int[] ranks;
    private final int[] mergedIds;
    private final int mask;

    /**
     * @param merges {@code tokenizer.ggml.merges}: "left right", best first
     * @param index  the vocabulary, to resolve both halves and their concatenation to ids
     */
    MergeRanks(String[] merges, TextIndex index) {
        int capacity = Integer.highestOneBit(Math.max(16, merges.length * 2 - 1)) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        Arrays.fill(ranks, -1);
        mask = capacity - 1;
        mergedIds = new int[merges.length];
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            int space = merge.indexOf(' ', 1);
            mergedIds[rank] = -1;
            if (space < 0) {
                continue;
            }
            int left = index.find(merge, 0, space);
            int right = index.find(merge, space + 1, merge.length());
            if (left < 0 || right < 0) {
                continue; // a merge of pieces that are not tokens can never apply
            }
            int merged = index.findSkipping(merge, 0, merge.length(), space);
            if (merged < 0) {
                continue;
            }
            mergedIds[rank] = merged;
            long key = key(left, right);
            int slot = slot(key);
            while (ranks[slot] >= 0 && keys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            if (ranks[slot] < 0) { // the first (best) occurrence of a pair wins
                keys[slot] = key;
                ranks[slot] = rank;
            }
        }
    }

    /** The rank of merging token {@code left} with token {@code right}, or -1 if they never merge. */
    int rank(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        while (true) {
            int rank = ranks[slot];
            if (rank < 0 || keys[slot] == key) {
                return rank;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** The token that merge {@code rank} produces. */
    int mergedId(int rank) {
        return mergedIds[rank];
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }
}
