package ai.sluice.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/** Sends prompts to the server in a {@link LoadPattern}, one virtual thread per request in flight. */
public final class LoadRunner {
    private final CompletionClient client;
    private final String model;

    public LoadRunner(CompletionClient client, String model) {
        this.client = client;
        this.model = model;
    }

    /**
     * The measured requests (in prompt order), the measured duration (first send to last completion), and the
     * {@link System#nanoTime()} the record times are relative to.
     */
    public record Run(List<RequestRecord> records, long durationNanos, long epochNanos) {
    }

    /** Runs the warm-up prompts (not measured, waited for), then the measured ones. */
    public Run run(LoadPattern pattern, List<Prompt> warmup, List<Prompt> measured, ChunkListener listener) {
        warmUp(pattern, warmup);
        return execute(pattern, measured::get, measured.size(), Long.MAX_VALUE, listener);
    }

    /**
     * Runs the warm-up prompts, then sends measured requests for {@code durationNanos}: no request starts after
     * that; those in flight are waited for (each bounded by the request timeout) and measured.
     */
    public Run runFor(LoadPattern pattern, List<Prompt> warmup, IntFunction<Prompt> prompts, long durationNanos,
                      ChunkListener listener) {
        warmUp(pattern, warmup);
        return execute(pattern, prompts, Integer.MAX_VALUE, durationNanos, listener);
    }

    private void warmUp(LoadPattern pattern, List<Prompt> warmup) {
        if (!warmup.isEmpty()) {
            execute(pattern, warmup::get, warmup.size(), Long.MAX_VALUE, ChunkListener.NONE);
        }
    }

    /** Sends prompts 0, 1, ... until {@code limit} are sent or {@code sendWindowNanos} have passed. */
    private Run execute(LoadPattern pattern, IntFunction<Prompt> prompts, int limit, long sendWindowNanos,
                        ChunkListener listener) {
        Map<Integer, RequestRecord> records = new ConcurrentHashMap<>();
        long epoch = System.nanoTime();
        boolean timed = sendWindowNanos != Long.MAX_VALUE;
        long stopSending = epoch + (timed ? sendWindowNanos : 0);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            switch (pattern) {
                case LoadPattern.OpenLoop open -> {
                    PoissonArrivals arrivals = new PoissonArrivals(open.rate(), open.seed());
                    long due = epoch;
                    for (int i = 0; i < limit; i++) {
                        if (i > 0) {
                            due += arrivals.nextGapNanos();
                        }
                        if (timed && due - stopSending > 0) {
                            break;
                        }
                        sleepUntil(due);
                        int index = i;
                        Prompt prompt = prompts.apply(index);
                        futures.add(threads.submit(() -> records.put(index,
                                client.complete(index, model, prompt, epoch, listener))));
                    }
                }
                case LoadPattern.ClosedLoop closed -> {
                    AtomicInteger next = new AtomicInteger();
                    for (int c = 0; c < Math.min(closed.concurrency(), limit); c++) {
                        futures.add(threads.submit(() -> {
                            // The clock is read before an index is taken, so every index taken is sent.
                            while (!timed || System.nanoTime() - stopSending < 0) {
                                int i = next.getAndIncrement();
                                if (i >= limit) {
                                    break;
                                }
                                records.put(i, client.complete(i, model, prompts.apply(i), epoch, listener));
                            }
                        }));
                    }
                }
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("bench interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BenchException b) {
                throw b;
            }
            throw new BenchException("a request thread failed: " + e.getCause(), e.getCause());
        }
        long duration = System.nanoTime() - epoch;
        // Indices are dense: every index below the highest one sent was sent (and waited for) too.
        RequestRecord[] out = new RequestRecord[records.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = records.get(i);
        }
        return new Run(Arrays.asList(out), duration, epoch);
    }

    private static void sleepUntil(long deadlineNanos) {
        for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new BenchException("bench interrupted");
            }
        }
    }
}
