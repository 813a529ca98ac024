package ai.sluice.core.tokenizer;

import java.util.Arrays;

/**
 * A binary min-heap of candidate merges on parallel primitive arrays (no object per candidate).
 * Order: lower key first, then lower left index, which is the tie rule of both llama.cpp merge loops.
 * Each entry carries two extra ints the caller uses to tell whether the candidate is still valid.
 */
final class MergeQueue {
    private double[] key = new double[64];
    private int[] left = new int[64];
    private int[] right = new int[64];
    private int[] extraA = new int[64];
    private int[] extraB = new int[64];
    private int size;

    int topLeft;
    int topRight;
    int topExtraA;
    int topExtraB;

    void clear() {
        size = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void push(double k, int l, int r, int a, int b) {
        if (size == key.length) {
            int n = size * 2;
            key = Arrays.copyOf(key, n);
            left = Arrays.copyOf(left, n);
            right = Arrays.copyOf(right, n);
            extraA = Arrays.copyOf(extraA, n);
            extraB = Arrays.copyOf(extraB, n);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(k, l, key[parent], left[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, k, l, r, a, b);
    }

    /** Removes the best entry into the {@code top*} fields. */
    void pop() {
        topLeft = left[0];
        topRight = right[0];
        topExtraA = extraA[0];
        topExtraB = extraB[0];
        int last = --size;
        if (last == 0) {
            return;
        }
        double k = key[last];
        int l = left[last];
        int r = right[last];
        int a = extraA[last];
        int b = extraB[last];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && less(key[child + 1], left[child + 1], key[child], left[child])) {
                child++;
            }
            if (!less(key[child], left[child], k, l)) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, k, l, r, a, b);
    }

    private static boolean less(double k1, int l1, double k2, int l2) {
        return k1 < k2 || (k1 == k2 && l1 < l2);
    }

    private void move(int from, int to) {
        key[to] = key[from];
        left[to] = left[from];
        right[to] = right[from];
        extraA[to] = extraA[from];
        extraB[to] = extraB[from];
    }

    private void set(int i, double k, int l, int r, int a, int b) {
        key[i] = k;
        left[i] = l;
        right[i] = r;
        extraA[i] = a;
        extraB[i] = b;
    }
}
