package ai.sluice.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

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
        if (!warmup.isEmpty()) {
            execute(pattern, warmup, ChunkListener.NONE);
        }
        return execute(pattern, measured, listener);
    }

    private Run execute(LoadPattern pattern, List<Prompt> prompts, ChunkListener listener) {
        AtomicReferenceArray<RequestRecord> records = new AtomicReferenceArray<>(prompts.size());
        long epoch = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            switch (pattern) {
                case LoadPattern.OpenLoop open -> {
                    PoissonArrivals arrivals = new PoissonArrivals(open.rate(), open.seed());
                    long due = epoch;
                    for (int i = 0; i < prompts.size(); i++) {
                        if (i > 0) {
                            due += arrivals.nextGapNanos();
                        }
                        sleepUntil(due);
                        int index = i;
                        futures.add(threads.submit(() -> records.set(index,
                                client.complete(index, model, prompts.get(index), epoch, listener))));
                    }
                }
                case LoadPattern.ClosedLoop closed -> {
                    AtomicInteger next = new AtomicInteger();
                    for (int c = 0; c < Math.min(closed.concurrency(), prompts.size()); c++) {
                        futures.add(threads.submit(() -> {
                            for (int i = next.getAndIncrement(); i < prompts.size(); i = next.getAndIncrement()) {
                                records.set(i, client.complete(i, model, prompts.get(i), epoch, listener));
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
            throw new BenchException("a request thread failed: " + e.getCause(), e.getCause());
        }
        long duration = System.nanoTime() - epoch;
        RequestRecord[] out = new RequestRecord[prompts.size()];
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
