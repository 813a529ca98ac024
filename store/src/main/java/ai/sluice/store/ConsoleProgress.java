package ai.sluice.store;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress for people: a bar redrawn in place on a terminal, plain log lines (every 10% or 10 s)
 * otherwise, so logs of a container or CI run stay readable.
 */
public final class ConsoleProgress implements Progress {
    private static final int BAR = 30;
    private final PrintStream out;
    private final boolean terminal;
    private final String prefix;
    private String name = "";
    private long startNanos;
    private long resumed;
    private long lastDrawNanos;
    private int lastTenth = -1;
    private boolean barOpen;

    public ConsoleProgress(PrintStream out, boolean terminal, String prefix) {
        this.out = out;
        this.terminal = terminal;
        this.prefix = prefix;
    }

    /** On stderr; a bar when stderr is (most likely) a terminal. */
    public static ConsoleProgress forStderr(String prefix) {
        java.io.Console c = System.console();
        return new ConsoleProgress(System.err, c != null && c.isTerminal(), prefix);
    }

    @Override
    public synchronized void started(String model, long size, long resumedBytes, String from) {
        name = model;
        resumed = resumedBytes;
        startNanos = System.nanoTime();
        lastDrawNanos = 0;
        lastTenth = -1;
        out.println(prefix + "pulling " + model + " (" + Sizes.format(size) + ") from " + from
                + (resumedBytes > 0 ? ", resuming with " + Sizes.format(resumedBytes) + " already here" : ""));
    }

    @Override
    public synchronized void advanced(long done, long size) {
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = (done - resumed) / seconds;
        int percent = size == 0 ? 100 : (int) (done * 100 / size);
        if (terminal) {
            if (now - lastDrawNanos < 100_000_000L && done < size) {
                return;
            }
            lastDrawNanos = now;
            int filled = size == 0 ? BAR : (int) (done * BAR / size);
            out.print(String.format(Locale.ROOT, "\r%s%s [%s%s] %3d%% %s / %s %s/s ", prefix, name,
                    "=".repeat(filled), " ".repeat(BAR - filled), percent, Sizes.format(done), Sizes.format(size), Sizes.format((long) rate)));
            out.flush();
            barOpen = true;
        } else {
            int tenth = percent / 10;
            if (tenth == lastTenth && now - lastDrawNanos < 10_000_000_000L) {
                return;
            }
            lastTenth = tenth;
            lastDrawNanos = now;
            out.println(String.format(Locale.ROOT, "%s%s: %d%% (%s of %s, %s/s)", prefix, name, percent,
                    Sizes.format(done), Sizes.format(size), Sizes.format((long) rate)));
        }
    }

    @Override
    public synchronized void note(String line) {
        endBar();
        out.println(prefix + line);
    }

    @Override
    public synchronized void finished() {
        endBar();
    }

    private void endBar() {
        if (barOpen) {
            out.println();
            barOpen = false;
        }
    }
}
