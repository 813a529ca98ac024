package ai.sluice.cli;

import java.util.Locale;

/** Human-readable sizes and counts for the command line's text output. */
final class Units {
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB"};
    private static final String[] DECIMAL = {"", "K", "M", "B", "T"};

    private Units() {
    }

    /** {@code 1185376} -> {@code 1.13 MiB}; below 1 KiB the exact byte count. */
    static String bytes(long n) {
        return scaled(n, 1024, BINARY, " ");
    }

    /** {@code 1100048384} -> {@code 1.10B}; below 1000 the exact count. */
    static String count(long n) {
        return scaled(n, 1000, DECIMAL, "");
    }

    private static String scaled(long n, int base, String[] units, String sep) {
        if (n < base) {
            return n + (units[0].isEmpty() ? "" : sep + units[0]);
        }
        double v = n;
        int u = 0;
        while (v >= base && u < units.length - 1) {
            v /= base;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%s%s", v, sep, units[u]);
    }
}
