package ai.sluice.core.tokenizer;

/**
 * Token text to id, looked up by a range of any {@link CharSequence} so that the merge loops can
 * ask "is this slice a token?" without building a substring. Open addressing, linear probing.
 */
final class TextIndex {
    private final String[] texts;
    private final int[] slots;
    private final int mask;

    TextIndex(String[] texts) {
        this.texts = texts;
        int capacity = Integer.highestOneBit(Math.max(16, texts.length * 2 - 1)) << 1;
        this.slots = new int[capacity];
        this.mask = capacity - 1;
        java.util.Arrays.fill(slots, -1);
        for (int id = 0; id < texts.length; id++) {
            String t = texts[id];
            int slot = hash(t, 0, t.length()) & mask;
            while (slots[slot] >= 0) {
                if (texts[slots[slot]].equals(t)) {
                    throw new TokenizerException("duplicate token in vocabulary: '" + t + "' has ids "
                            + slots[slot] + " and " + id);
                }
                slot = (slot + 1) & mask;
            }
            slots[slot] = id;
        }
    }

    /** The id of the token whose text is {@code s[from, to)}, or -1. */
    int find(CharSequence s, int from, int to) {
        int len = to - from;
        int slot = hash(s, from, to) & mask;
        while (true) {
            int id = slots[slot];
            if (id < 0) {
                return -1;
            }
            String t = texts[id];
            if (t.length() == len && regionEquals(t, s, from, len)) {
                return id;
            }
            slot = (slot + 1) & mask;
        }
    }

    int find(String s) {
        return find(s, 0, s.length());
    }

    /** The id of the token whose text is {@code s[from, to)} without the char at {@code skip}, or -1. */
    int findSkipping(String s, int from, int to, int skip) {
        int len = to - from - 1;
        int h = 0;
        for (int i = from; i < to; i++) {
            if (i != skip) {
                h = 31 * h + s.charAt(i);
            }
        }
        int slot = mix(h) & mask;
        while (true) {
            int id = slots[slot];
            if (id < 0) {
                return -1;
            }
            String t = texts[id];
            if (t.length() == len && s.regionMatches(from, t, 0, skip - from)
                    && s.regionMatches(skip + 1, t, skip - from, to - skip - 1)) {
                return id;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static boolean regionEquals(String t, CharSequence s, int from, int len) {
        if (s instanceof String str) {
            return str.regionMatches(from, t, 0, len);
        }
        for (int i = 0; i < len; i++) {
            if (t.charAt(i) != s.charAt(from + i)) {
                return false;
            }
        }
        return true;
    }

    private static int hash(CharSequence s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        return mix(h);
    }

    /** Spreads a polynomial string hash over all bits (murmur3's finalizer): the table masks low bits. */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }
}
