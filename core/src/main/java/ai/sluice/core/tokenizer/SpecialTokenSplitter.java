package ai.sluice.core.tokenizer;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts special tokens out of raw text before the text model runs, the way llama.cpp does: the
 * candidates are taken longest first, and each one splits every stretch of text still left.
 * Control and unknown tokens are candidates only when special text is parsed; user-defined
 * (added) tokens always are.
 */
final class SpecialTokenSplitter {
    /** Marks a text fragment in the triples returned by {@link #split}. */
    static final int TEXT = -1;

    private final Vocabulary vocabulary;
    /** Candidate ids in processing order: longest text first, then lower id. */
    private final int[] order;
    /** Candidate positions in {@link #order}, bucketed by first char, to find which occur at all. */
    private final Map<Character, int[]> byFirstChar = new HashMap<>();
    /** The chars that start some candidate: a cheap filter before the (boxing) map lookup. */
    private final BitSet firstChars = new BitSet(1 << 16);

    SpecialTokenSplitter(Vocabulary vocabulary, boolean parseSpecial) {
        this.vocabulary = vocabulary;
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < vocabulary.size(); id++) {
            int attr = vocabulary.attr(id);
            boolean special = (attr & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_USER_DEFINED
                    | Vocabulary.ATTR_UNKNOWN)) != 0;
            boolean excluded = !parseSpecial && (attr & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_UNKNOWN)) != 0;
            if (special && !excluded && !vocabulary.text(id).isEmpty()) {
                ids.add(id);
            }
        }
        ids.sort((a, b) -> {
            int byLength = Integer.compare(vocabulary.text(b).length(), vocabulary.text(a).length());
            return byLength != 0 ? byLength : Integer.compare(a, b);
        });
        order = ids.stream().mapToInt(Integer::intValue).toArray();
        Map<Character, List<Integer>> buckets = new HashMap<>();
        for (int pos = 0; pos < order.length; pos++) {
            buckets.computeIfAbsent(vocabulary.text(order[pos]).charAt(0), c -> new ArrayList<>()).add(pos);
        }
        buckets.forEach((c, list) -> {
            byFirstChar.put(c, list.stream().mapToInt(Integer::intValue).toArray());
            firstChars.set(c);
        });
    }

    /**
     * The fragments of {@code text}, as triples (start, end, id): id is {@link #TEXT} for ordinary
     * text in [start, end), else the special token found there.
     */
    IntList split(String text) {
        IntList fragments = new IntList(6);
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(0);
        fragments.add(text.length());
        fragments.add(TEXT);
        if (order.length == 0) {
            return fragments;
        }
        BitSet present = occurring(text);
        for (int pos = present.nextSetBit(0); pos >= 0; pos = present.nextSetBit(pos + 1)) {
            fragments = splitOn(text, fragments, order[pos]);
        }
        return fragments;
    }

    private BitSet occurring(String text) {
        BitSet present = new BitSet(order.length);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!firstChars.get(c)) {
                continue;
            }
            int[] bucket = byFirstChar.get(c);
            for (int pos : bucket) {
                if (!present.get(pos) && text.startsWith(vocabulary.text(order[pos]), i)) {
                    present.set(pos);
                }
            }
        }
        return present;
    }

    private IntList splitOn(String text, IntList fragments, int id) {
        String token = vocabulary.text(id);
        int attr = vocabulary.attr(id);
        IntList out = new IntList(fragments.size() + 6);
        for (int f = 0; f < fragments.size(); f += 3) {
            int start = fragments.get(f);
            int end = fragments.get(f + 1);
            int kind = fragments.get(f + 2);
            if (kind != TEXT) {
                out.add(start);
                out.add(end);
                out.add(kind);
                continue;
            }
            int cursor = start;
            while (cursor < end) {
                int match = text.indexOf(token, cursor);
                if (match < 0 || match + token.length() > end) {
                    break;
                }
                int leftEnd = match;
                if ((attr & Vocabulary.ATTR_LSTRIP) != 0) {
                    while (leftEnd > cursor && isSpace(text.charAt(leftEnd - 1))) {
                        leftEnd--;
                    }
                }
                if (leftEnd > cursor) {
                    out.add(cursor);
                    out.add(leftEnd);
                    out.add(TEXT);
                }
                out.add(match);
                out.add(match + token.length());
                out.add(id);
                cursor = match + token.length();
                if ((attr & Vocabulary.ATTR_RSTRIP) != 0) {
                    while (cursor < end && isSpace(text.charAt(cursor))) {
                        cursor++;
                    }
                }
            }
            if (cursor < end) {
                out.add(cursor);
                out.add(end);
                out.add(TEXT);
            }
        }
        return out;
    }

    /** C's isspace, which llama.cpp uses for lstrip/rstrip. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
