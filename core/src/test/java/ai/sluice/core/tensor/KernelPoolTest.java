package ai.sluice.core.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kernel pool only splits ranges: every index runs exactly once whatever the thread count, the
 * waits (spin, yield, park) never lose a loop or a wake-up, failures reach the caller, and close ends
 * the workers. The timeouts only turn a deadlock into a failure; nothing here times speed.
 */
@Timeout(120)
class KernelPoolTest {

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3, 5})
    void everyIndexRunsExactlyOnceOverManyLoops(int threads) throws InterruptedException {
        try (KernelPool pool = new KernelPool(threads)) {
            int[] sizes = {1, 2, 7, 64, 100, 1000, 4099};
            int[] grains = {1, 3, 16, 5000};
            for (int round = 0; round < 300; round++) {
                int n = sizes[round % sizes.length];
                int grain = grains[(round / sizes.length) % grains.length];
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.parallelFor(n, grain, (start, end) -> {
                    for (int i = start; i < end; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertThat(hits.get(i)).as("index %d of %d (grain %d, round %d)", i, n, grain, round).isEqualTo(1);
                }
                if (round % 50 == 49) {
                    // a pause longer than the workers' watch window, so the next loop has to unpark them
                    Thread.sleep(5);
                }
            }
        }
    }

    @Test
    void chunksSpreadOverThreadsAndMeetWithoutGapsOrOverlap() {
        try (KernelPool pool = new KernelPool(3)) {
            List<int[]> ranges = new ArrayList<>();
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            pool.parallelFor(960, 1, (start, end) -> {
                synchronized (ranges) {
                    ranges.add(new int[] {start, end});
                }
                ran.add(Thread.currentThread());
            });
            ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
            assertThat(ranges).hasSize(3 * 16);
            int expectedStart = 0;
            for (int[] r : ranges) {
                assertThat(r[0]).isEqualTo(expectedStart);
                assertThat(r[1]).isGreaterThan(r[0]);
                expectedStart = r[1];
            }
            assertThat(expectedStart).isEqualTo(960);
            assertThat(ran).contains(Thread.currentThread());
        }
    }

    @Test
    void aLoopWaitsForAChunkHeldUpOnAnotherThread() throws InterruptedException {
        // the worker's first chunk blocks until the caller has finished all the others: the caller must
        // wait (spin, then yield) and still see that chunk end
        try (KernelPool pool = new KernelPool(2)) {
            int held = 0;
            for (int round = 0; round < 5; round++) {
                Thread caller = Thread.currentThread();
                AtomicBoolean holding = new AtomicBoolean();
                AtomicInteger completed = new AtomicInteger();
                CountDownLatch release = new CountDownLatch(1);
                AtomicIntegerArray hits = new AtomicIntegerArray(32);
                Thread releaser = Thread.ofPlatform().start(() -> {
                    while (completed.get() < (holding.get() ? 31 : 32)) {
                        Thread.onSpinWait();
                    }
                    sleepQuietly(3);
                    release.countDown();
                });
                pool.parallelFor(32, 1, (start, end) -> {
                    if (Thread.currentThread() != caller && holding.compareAndSet(false, true)) {
                        awaitQuietly(release);
                    } else if (Thread.currentThread() == caller && !holding.get()) {
                        sleepQuietly(1);   // leave the worker time to wake and claim a chunk
                    }
                    hits.incrementAndGet(start);
                    completed.incrementAndGet();
                });
                releaser.join();
                held += holding.get() ? 1 : 0;
                for (int i = 0; i < 32; i++) {
                    assertThat(hits.get(i)).isEqualTo(1);
                }
            }
            assertThat(held).as("rounds where the worker held a chunk").isPositive();
        }
    }

    @Test
    void theFirstFailureReachesTheCallerAndThePoolStaysUsable() {
        try (KernelPool pool = new KernelPool(3)) {
            assertThatThrownBy(() -> pool.parallelFor(1000, 1, (start, end) -> {
                if (start <= 500 && 500 < end) {
                    throw new IllegalStateException("chunk at 500 failed");
                }
            })).isInstanceOf(IllegalStateException.class).hasMessage("chunk at 500 failed");
            assertThatThrownBy(() -> pool.parallelFor(1000, 1, (start, end) -> {
                throw new AssertionError("an Error too");
            })).isInstanceOf(AssertionError.class).hasMessage("an Error too");

            AtomicInteger sum = new AtomicInteger();
            pool.parallelFor(1000, 1, (start, end) -> sum.addAndGet(end - start));
            assertThat(sum.get()).isEqualTo(1000);
        }
    }

    @Test
    void aNestedLoopRunsOnTheCallingThread() {
        try (KernelPool pool = new KernelPool(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(64 * 10);
            pool.parallelFor(64, 1, (start, end) -> {
                for (int row = start; row < end; row++) {
                    int base = row * 10;
                    Thread outer = Thread.currentThread();
                    pool.parallelFor(10, 1, (s, e) -> {
                        assertThat(Thread.currentThread()).isSameAs(outer);
                        for (int i = s; i < e; i++) {
                            hits.incrementAndGet(base + i);
                        }
                    });
                }
            });
            for (int i = 0; i < hits.length(); i++) {
                assertThat(hits.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void loopsFromTwoThreadsAtOnceBothComplete() throws Exception {
        try (KernelPool pool = new KernelPool(2)) {
            int callers = 2;
            int loops = 500;
            CyclicBarrier start = new CyclicBarrier(callers);
            AtomicInteger wrong = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int l = 0; l < loops; l++) {
                            AtomicInteger covered = new AtomicInteger();
                            pool.parallelFor(300, 1, (s, e) -> covered.addAndGet(e - s));
                            if (covered.get() != 300) {
                                wrong.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        wrong.incrementAndGet();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(wrong.get()).isZero();
        }
    }

    @Test
    void closeEndsTheWorkersAndLaterLoopsRunOnTheCaller() throws InterruptedException {
        KernelPool pool = new KernelPool(3);
        pool.parallelFor(100, 1, (s, e) -> { });
        Thread[] workers = pool.workerThreads();
        assertThat(workers).hasSize(2).allMatch(Thread::isAlive).allMatch(Thread::isDaemon);
        pool.close();
        for (Thread w : workers) {
            w.join();
            assertThat(w.isAlive()).isFalse();
        }
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        AtomicInteger covered = new AtomicInteger();
        pool.parallelFor(100, 1, (s, e) -> {
            ran.add(Thread.currentThread());
            covered.addAndGet(e - s);
        });
        assertThat(covered.get()).isEqualTo(100);
        assertThat(ran).containsExactly(Thread.currentThread());
        pool.close();
    }

    @Test
    void zeroThreadsIsRefused() {
        assertThatThrownBy(() -> new KernelPool(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 1");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
