package ai.sluice.core.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * A small persistent pool that splits index ranges over the cores. The calling thread takes the
 * first chunk itself, so {@code threads} threads work and only {@code threads - 1} are pooled.
 * Threads are created once, never per call.
 */
public final class KernelPool implements AutoCloseable {
    private final int threads;
    private final ForkJoinPool pool;

    public KernelPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("kernel threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads - 1) : null;
    }

    /** A pool with one thread per available processor. */
    public static KernelPool sizedToCores() {
        return new KernelPool(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@code threads} chunks of at least
     * {@code grain} indices each, and returns when all are done. Exceptions propagate.
     */
    public void parallelFor(int n, int grain, RangeBody body) {
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || pool == null) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) n * c / chunks);
            int end = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = pool.submit(() -> body.run(start, end));
        }
        Throwable failure = null;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : tasks) {
            try {
                t.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        } else if (failure instanceof Error err) {
            throw err;
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
