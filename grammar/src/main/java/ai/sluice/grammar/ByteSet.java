package ai.sluice.grammar;

import java.util.Arrays;

/** A set of byte values 0..255 as four 64-bit words. Immutable. */
public final class ByteSet {
    private final long[] words;

    private ByteSet(long[] words) {
        this.words = words;
    }

    /** Bytes {@code lo..hi} inclusive (0..255). */
    public static ByteSet range(int lo, int hi) {
        long[] w = new long[4];
        for (int b = lo; b <= hi; b++) {
            w[b >>> 6] |= 1L << (b & 63);
        }
        return new ByteSet(w);
    }

    public static ByteSet of(int... bytes) {
        long[] w = new long[4];
        for (int b : bytes) {
            w[(b & 0xFF) >>> 6] |= 1L << (b & 63);
        }
        return new ByteSet(w);
    }

    public ByteSet union(ByteSet other) {
        long[] w = new long[4];
        for (int i = 0; i < 4; i++) {
            w[i] = words[i] | other.words[i];
        }
        return new ByteSet(w);
    }

    /** All bytes not in this set. */
    public ByteSet complement() {
        long[] w = new long[4];
        for (int i = 0; i < 4; i++) {
            w[i] = ~words[i];
        }
        return new ByteSet(w);
    }

    public boolean contains(int b) {
        return (words[(b & 0xFF) >>> 6] & (1L << (b & 63))) != 0;
    }

    public boolean isEmpty() {
        return (words[0] | words[1] | words[2] | words[3]) == 0;
    }

    long word(int i) {
        return words[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteSet s && Arrays.equals(words, s.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int b = 0; b < 256; b++) {
            if (contains(b)) {
                int e = b;
                while (e + 1 < 256 && contains(e + 1)) {
                    e++;
                }
                sb.append(String.format("%02x", b));
                if (e > b) {
                    sb.append('-').append(String.format("%02x", e));
                }
                sb.append(' ');
                b = e;
            }
        }
        return sb.append(']').toString();
    }
}
