package ai.sluice.server.generate;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cuts off clients that stopped reading. A write to a socket whose buffers are full blocks, and
 * nothing else would ever end it (the engine-side queue bound frees the KV blocks, but the request's
 * thread would stay parked in the write until TCP gives up, minutes later). Every blocking write
 * runs under a {@link Watch}; one daemon thread interrupts a write that has blocked longer than the
 * stall limit, which for a virtual thread in socket I/O closes the socket and ends the write.
 */
public final class WriteWatchdog implements AutoCloseable {
    private static final int ACTIVE = 0;
    private static final int DONE = 1;
    private static final int FIRED = 2;

    private final long stallNanos;
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final Thread sweeper;
    private volatile boolean closed;

    public WriteWatchdog(Duration stallLimit) {
        this.stallNanos = stallLimit.toNanos();
        // check often enough that a stall is cut within about a quarter of the limit past it
        long periodMillis = Math.clamp(stallLimit.toMillis() / 4, 10, 1000);
        this.sweeper = Thread.ofPlatform().daemon().name("sluice-write-watchdog").start(() -> sweep(periodMillis));
    }

    /** Starts watching a write on the current thread; close the watch when the write returns. */
    Watch watch() {
        Watch w = new Watch(Thread.currentThread(), System.nanoTime());
        watches.add(w);
        return w;
    }

    private void sweep(long periodMillis) {
        while (!closed) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Watch w : watches) {
                if (now - w.startNanos >= stallNanos && w.state.compareAndSet(ACTIVE, FIRED)) {
                    w.thread.interrupt();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
    }

    /** One write in progress. */
    final class Watch {
        private final Thread thread;
        private final long startNanos;
        private final AtomicInteger state = new AtomicInteger(ACTIVE);

        private Watch(Thread thread, long startNanos) {
            this.thread = thread;
            this.startNanos = startNanos;
        }

        /**
         * Ends the watch; true when the watchdog cut this write off. When it fired just as the write
         * returned, the write still counts as stalled (the client did not read for the whole limit)
         * and the interrupt it sent is cleared, so it cannot hit whatever the thread does next.
         */
        boolean end() {
            watches.remove(this);
            if (state.compareAndSet(ACTIVE, DONE)) {
                return false;
            }
            Thread.interrupted();
            return true;
        }
    }
}
