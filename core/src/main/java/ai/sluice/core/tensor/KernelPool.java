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
 * workers watch for the next one for {@link #IDLE_WATCH_NANOS} (as llama.cpp's threads do) and
 * only then park; a loop is cut into a few chunks per thread that the threads claim from a shared
 * counter, so a thread the OS preempts delays its chunk, not a fixed half of the work.
 *
 * <p>Waiting gives the core away: a thread that waits (a worker for the next loop, the caller for
 * the chunks its peers still run) spins only briefly, then yields on every round. When other
 * threads want the cores (an HTTP thread writing the token just made, a benchmark client, another
 * process), a pure spin would hold a core they need, and the thread they preempted (often the very
 * peer being waited for) stays off a core the longer; a yield lets them run and finish sooner. With
 * nothing else runnable a yield returns at once, so an idle machine keeps the spin's latency. The
 * clock is read once every few rounds, not on every one.
 *
 * <p>One loop runs at a time: a call made while another runs (from a second thread, or nested in a
 * body) runs its range on the calling thread instead of waiting.
 */
public final class KernelPool implements AutoCloseable {
    /** How long an idle worker watches for the next loop before it parks. */
    private static final long IDLE_WATCH_NANOS = 200_000;
    /**
     * Rounds of pure spinning before a waiter starts to yield: a few microseconds, about the gap
     * between two loops of one token, so an idle machine rarely pays for a system call.
     */
    private static final int SPINS_BEFORE_YIELD = 64;
    /** An idle worker reads the clock once per this many rounds (a power of two). */
    private static final int ROUNDS_PER_CLOCK_READ = 16;
    /** Chunks per thread: a thread the OS preempts holds up one small chunk (16 measured ~6% faster decode than 4 on a shared machine). */
    private static final int CHUNKS_PER_THREAD = 16;

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Loop current;
    private volatile boolean closed;

    public KernelPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("kernel threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Worker w = new Worker();
            workers[i] = w;
            w.thread = Thread.ofPlatform().daemon().name("sluice-kernel-" + (i + 1)).unstarted(() -> work(w));
            w.thread.start();
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
            for (Worker w : workers) {
                // a worker sets parked before its last look at current, so one of the two sees the other
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            loop.runChunks();
            loop.awaitDone();
            loop.rethrow();
        } finally {
            busy.set(false);
        }
    }

    private void work(Worker self) {
        Loop seen = null;
        while (!closed) {
            Loop loop = current;
            if (loop != seen && loop != null) {
                seen = loop;
                loop.runChunks();
                continue;
            }
            if (!watch(seen)) {
                self.parked = true;
                if (current == seen && !closed) {
                    LockSupport.park(this);
                }
                self.parked = false;
            }
        }
    }

    /** Watches for a loop other than {@code seen}, or close; false when none came within the watch window. */
    private boolean watch(Loop seen) {
        long deadline = 0;
        for (int round = 1; ; round++) {
            if (current != seen || closed) {
                return true;
            }
            pause(round);
            if (round >= SPINS_BEFORE_YIELD && (round & (ROUNDS_PER_CLOCK_READ - 1)) == 0) {
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + IDLE_WATCH_NANOS;
                } else if (now - deadline >= 0) {
                    return false;
                }
            }
        }
    }

    /** One round of a wait: a spin at first, then the core given away (see the class comment). */
    private static void pause(int round) {
        if (round < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /** The pooled threads (for tests: close must end them). */
    Thread[] workerThreads() {
        Thread[] out = new Thread[workers.length];
        for (int i = 0; i < workers.length; i++) {
            out[i] = workers[i].thread;
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    /** A pooled thread and whether it is (about to be) parked, so a new loop unparks only sleepers. */
    private static final class Worker {
        Thread thread;
        volatile boolean parked;
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

        /** Waits for the chunks the workers still run: spins briefly, then yields on every round. */
        void awaitDone() {
            for (int round = 1; done.get() < chunks; round++) {
                pause(round);
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
