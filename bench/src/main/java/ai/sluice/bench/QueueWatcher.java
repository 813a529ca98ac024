package ai.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Scrapes the server's {@code /metrics} a few times per second during a run and keeps the waiting-queue depth
 * ({@code vllm:num_requests_waiting}, summed over models). Runs on one virtual thread between start and close.
 */
public final class QueueWatcher implements AutoCloseable {
    public static final String WAITING = "vllm:num_requests_waiting";

    /** One scrape: {@link System#nanoTime()} when it returned and the queue depth it read. */
    public record Sample(long atNanos, double waiting) {
    }

    private final CompletionClient client;
    private final long periodMillis;
    private final List<Sample> samples = new ArrayList<>();
    private volatile boolean running = true;
    private final Thread thread;

    public QueueWatcher(CompletionClient client, long periodMillis) {
        this.client = client;
        this.periodMillis = periodMillis;
        this.thread = Thread.ofVirtual().name("bench-queue-watcher").start(this::loop);
    }

    private void loop() {
        while (running) {
            OptionalDouble waiting = client.get("/metrics")
                    .map(text -> PrometheusText.sum(PrometheusText.parse(text), WAITING))
                    .orElse(OptionalDouble.empty());
            if (waiting.isPresent()) {
                synchronized (samples) {
                    samples.add(new Sample(System.nanoTime(), waiting.getAsDouble()));
                }
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops scraping and returns every sample, oldest first. */
    public List<Sample> stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
