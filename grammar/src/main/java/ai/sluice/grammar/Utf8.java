package ai.sluice.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Code point ranges as byte-level grammar: a range of Unicode scalar values becomes alternatives of
 * byte sequences matching exactly their UTF-8 encodings (no surrogates, no overlong forms).
 */
public final class Utf8 {
    public static final int MAX = 0x10FFFF;

    private Utf8() {
    }

    /** Any one code point in {@code lo..hi} (inclusive), surrogates excluded. */
    public static Expr range(int lo, int hi) {
        List<Expr> out = new ArrayList<>();
        addRange(lo, hi, out);
        if (out.isEmpty()) {
            throw new IllegalArgumentException("empty code point range " + lo + ".." + hi);
        }
        return Expr.alt(out);
    }

    /** Any one code point in any of the ranges, given as pairs {@code lo, hi} (need not be sorted). */
    public static Expr ranges(List<int[]> ranges) {
        List<Expr> out = new ArrayList<>();
        for (int[] r : ranges) {
            addRange(r[0], r[1], out);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("empty character class");
        }
        return Expr.alt(out);
    }

    /**
     * Whether the ranges hold at least one Unicode scalar value: a class of surrogates alone, or the
     * complement of everything, holds none, and {@link #ranges} would have nothing to match.
     */
    public static boolean holdsACharacter(List<int[]> ranges) {
        for (int[] r : ranges) {
            if (r[0] <= r[1] && r[0] <= MAX && (r[0] < 0xD800 || r[1] > 0xDFFF)) {
                return true;
            }
        }
        return false;
    }

    /** Ranges of code points {@code 0..MAX} not in {@code ranges} (merged pairs). */
    public static List<int[]> complement(List<int[]> ranges) {
        List<int[]> sorted = new ArrayList<>(ranges);
        sorted.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> out = new ArrayList<>();
        int next = 0;
        for (int[] r : sorted) {
            if (r[0] > next) {
                out.add(new int[] {next, r[0] - 1});
            }
            next = Math.max(next, r[1] + 1);
        }
        if (next <= MAX) {
            out.add(new int[] {next, MAX});
        }
        return out;
    }

    private static void addRange(int lo, int hi, List<Expr> out) {
        if (lo > hi) {
            return;
        }
        // surrogates are not scalar values
        if (lo <= 0xDFFF && hi >= 0xD800) {
            addRange(lo, 0xD7FF, out);
            addRange(0xE000, hi, out);
            return;
        }
        int[] ends = {0x7F, 0x7FF, 0xFFFF, MAX};
        for (int end : ends) {
            if (lo <= end && hi > end) {
                addRange(lo, end, out);
                addRange(end + 1, hi, out);
                return;
            }
        }
        sameLength(lo, hi, out);
    }

    /** Splits until each byte position ranges independently, then emits one sequence. */
    private static void sameLength(int lo, int hi, List<Expr> out) {
        int n = length(lo);
        for (int i = 1; i < n; i++) {
            int m = (1 << (6 * i)) - 1;
            if ((lo & ~m) != (hi & ~m)) {
                if ((lo & m) != 0) {
                    sameLength(lo, lo | m, out);
                    sameLength((lo | m) + 1, hi, out);
                    return;
                }
                if ((hi & m) != m) {
                    sameLength(lo, (hi & ~m) - 1, out);
                    sameLength(hi & ~m, hi, out);
                    return;
                }
            }
        }
        int[] a = encode(lo);
        int[] b = encode(hi);
        List<Expr> parts = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            parts.add(Expr.bytes(ByteSet.range(a[k], b[k])));
        }
        out.add(Expr.seq(parts));
    }

    static int length(int cp) {
        return cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;
    }

    static int[] encode(int cp) {
        return switch (length(cp)) {
            case 1 -> new int[] {cp};
            case 2 -> new int[] {0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)};
            case 3 -> new int[] {0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)};
            default -> new int[] {0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F),
                    0x80 | (cp & 0x3F)};
        };
    }
}
