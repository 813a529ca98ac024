package ai.sluice.core.tensor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small persistent pool that splits index ranges over the cores. The calling thread works too,
 * so {@code threads} threads compute and {@code threads - 1} are pooled; they are created once.
 *
 * <p>Decoding one token runs a parallel loop per matrix (about 150 for a 1B model), each a fraction
 * of a millisecond long, so waking the workers must cost far less than that. After a loop the
 * workers spin for {@link #SPIN_NANOS} watching for the next one (as llama.cpp's threads do) and
 * only then park; a loop is cut into a few chunks per thread that the threads claim from a shared
 * counter, so a thread the OS preempts delays its chunk, not a fixed half of the work.
 *
 * <p>One loop runs at a time: a call made while another runs (from a second thread, or nested in a
 * body) runs its range on the calling thread instead of waiting.
 */
public final class KernelPool implements AutoCloseable {
    /** How long an idle worker watches for the next loop before it parks. */
    private static final long SPIN_NANOS = 200_000;
    /** Chunks per thread: a thread the OS preempts holds up one small chunk (16 measured ~6% faster decode than 4 on a shared machine). */
    private static final int CHUNKS_PER_THREAD = 16;

    private final int threads;
    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Loop current;
    private volatile boolean closed;

    public KernelPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("kernel threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("sluice-kernel-" + (i + 1)).unstarted(this::work);
            workers[i].start();
        }
    }

    /** A pool with one thread per available processor. */
    public static KernelPool sizedToCores() {
        return new KernelPool(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain} indices spread over
     * the threads, and returns when all are done. The first exception thrown by a chunk propagates.
     */
    public void parallelFor(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(threads * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || workers.length == 0 || closed || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            Loop loop = new Loop(body, n, chunks);
            current = loop;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            loop.runChunks();
            loop.awaitDone();
            loop.rethrow();
        } finally {
            busy.set(false);
        }
    }

    private void work() {
        Loop seen = null;
        while (!closed) {
            Loop loop = current;
            if (loop != seen && loop != null) {
                seen = loop;
                loop.runChunks();
                continue;
            }
            long until = System.nanoTime() + SPIN_NANOS;
            while (current == seen && !closed && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            if (current == seen && !closed) {
                // unpark() from parallelFor after publishing the loop gives a permit, so a loop
                // published between the check and park() is not missed
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** One parallel loop: chunks claimed from a counter, completion counted down. */
    private static final class Loop {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable failure;

        Loop(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
        }

        void runChunks() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    if (failure == null) {
                        body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                    }
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        void awaitDone() {
            int spins = 0;
            while (done.get() < chunks) {
                if (++spins < 1 << 16) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        void rethrow() {
            if (failure instanceof RuntimeException re) {
                throw re;
            } else if (failure instanceof Error err) {
                throw err;
            }
        }
    }
}
