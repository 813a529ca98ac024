package ai.sluice.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress line redrawn in place ({@code \r}) on a terminal: requests done, errors, live output tokens/s over the
 * last second, elapsed time. Live tokens are counted as content chunks (one token each for most servers).
 */
public final class ProgressLine implements ChunkListener, AutoCloseable {
    private static final int WIDTH = 24;
    private static final long TICK_MILLIS = 200;
    private static final int WINDOW_TICKS = 5;

    private final PrintStream out;
    private final String label;
    private final int total;
    private final AtomicLong chunks = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger errors = new AtomicInteger();
    private final long startNanos = System.nanoTime();
    private final long[] windowChunks = new long[WINDOW_TICKS];
    private final long[] windowNanos = new long[WINDOW_TICKS];
    private int tick;
    private volatile boolean running = true;
    private final Thread thread;

    public ProgressLine(PrintStream out, String label, int total) {
        this.out = out;
        this.label = label;
        this.total = total;
        java.util.Arrays.fill(windowNanos, startNanos);
        this.thread = Thread.ofPlatform().daemon().name("bench-progress").start(this::loop);
    }

    @Override
    public void onChunk() {
        chunks.incrementAndGet();
    }

    @Override
    public void onDone(RequestRecord record) {
        done.incrementAndGet();
        if (!record.ok()) {
            errors.incrementAndGet();
        }
    }

    private void loop() {
        while (running) {
            draw();
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void draw() {
        long now = System.nanoTime();
        long c = chunks.get();
        int slot = tick++ % WINDOW_TICKS;
        // Rate over the window: chunks since the oldest remembered tick, over the time since then.
        double seconds = (now - windowNanos[slot]) / 1e9;
        double rate = seconds > 0 ? (c - windowChunks[slot]) / seconds : 0;
        windowChunks[slot] = c;
        windowNanos[slot] = now;
        int d = done.get();
        // A timed run (total 0) has no count to fill a bar towards: just the requests done so far.
        String progress = total == 0 ? d + " requests"
                : "[" + "#".repeat((int) ((long) d * WIDTH / total))
                + ".".repeat(WIDTH - (int) ((long) d * WIDTH / total)) + "] " + d + "/" + total + " requests";
        out.print(String.format(Locale.ROOT, "\r%s %s, %d errors, %.1f tok/s, %.1f s  ",
                label, progress, errors.get(), rate, (now - startNanos) / 1e9));
        out.flush();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        draw();
        out.println();
    }
}
