package ai.sluice.core.sampling;

/**
 * In-place ordering of token ids by a key, largest first, ties to the lower id (a strict total
 * order, so results never depend on the input order). Primitive arrays only: no boxing.
 */
final class TokenOrder {
    private static final int INSERTION_LIMIT = 16;

    private TokenOrder() {
    }

    /** True when id {@code a} ranks before id {@code b}. */
    private static boolean before(int a, int b, float[] key) {
        float ka = key[a];
        float kb = key[b];
        return ka > kb || (ka == kb && a < b);
    }

    /** Sorts {@code ids[0 .. n)} best first. */
    static void sortDescending(int[] ids, int n, float[] key) {
        quicksort(ids, 0, n - 1, key);
    }

    /** Rearranges {@code ids[0 .. n)} so that the best {@code k} come first, in order. */
    static void selectTop(int[] ids, int n, int k, float[] key) {
        int lo = 0;
        int hi = n - 1;
        while (hi - lo > INSERTION_LIMIT) {
            int p = partition(ids, lo, hi, key);
            if (p == k - 1) {
                break;
            } else if (p < k - 1) {
                lo = p + 1;
            } else {
                hi = p - 1;
            }
        }
        if (hi - lo <= INSERTION_LIMIT) {
            insertion(ids, lo, hi, key);
        }
        sortDescending(ids, k, key);
    }

    private static void quicksort(int[] ids, int lo, int hi, float[] key) {
        while (hi - lo > INSERTION_LIMIT) {
            int p = partition(ids, lo, hi, key);
            // recurse into the smaller side to bound the stack depth
            if (p - lo < hi - p) {
                quicksort(ids, lo, p - 1, key);
                lo = p + 1;
            } else {
                quicksort(ids, p + 1, hi, key);
                hi = p - 1;
            }
        }
        insertion(ids, lo, hi, key);
    }

    /** Median-of-three pivot, Lomuto partition; returns the pivot's final index. */
    private static int partition(int[] ids, int lo, int hi, float[] key) {
        int mid = (lo + hi) >>> 1;
        if (before(ids[mid], ids[lo], key)) {
            swap(ids, lo, mid);
        }
        if (before(ids[hi], ids[lo], key)) {
            swap(ids, lo, hi);
        }
        if (before(ids[hi], ids[mid], key)) {
            swap(ids, mid, hi);
        }
        swap(ids, mid, hi);
        int pivot = ids[hi];
        int store = lo;
        for (int i = lo; i < hi; i++) {
            if (before(ids[i], pivot, key)) {
                swap(ids, i, store++);
            }
        }
        swap(ids, store, hi);
        return store;
    }

    private static void insertion(int[] ids, int lo, int hi, float[] key) {
        for (int i = lo + 1; i <= hi; i++) {
            int v = ids[i];
            int j = i - 1;
            while (j >= lo && before(v, ids[j], key)) {
                ids[j + 1] = ids[j];
                j--;
            }
            ids[j + 1] = v;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
