package ai.sluice.cli;

import java.util.Locale;

/** Byte counts for people: exact below 10 KiB, then KiB, MiB, GiB with a few significant digits. */
final class Bytes {
    private Bytes() {
    }

    static String human(long bytes) {
        if (bytes < 10 * 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes / 1024.0;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
