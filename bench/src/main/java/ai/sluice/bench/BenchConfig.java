package ai.sluice.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything one {@code sluice bench} invocation needs.
 *
 * @param model      model name to request; null asks the server ({@code GET /v1/models}, first entry)
 * @param requests   measured requests per run (per sweep step); ignored when {@code duration} is set
 * @param duration   null, or how long each run (each sweep step) sends requests instead of a count
 * @param load       the load pattern of a single run; ignored in sweep mode
 * @param sweepRates Poisson rates to sweep, ascending; empty for a single run
 * @param scrapeInterval how often a sweep reads the server's {@code /metrics}
 * @param out        directory for result.json and report.html; null writes none
 * @param progress   whether to draw the live progress line on stderr
 */
public record BenchConfig(URI url, String model, int requests, Duration duration, LoadPattern load,
                          List<Double> sweepRates, PromptSpec prompts, Slo slo, int warmup, long seed, String apiKey,
                          Duration timeout, Duration scrapeInterval, Path out, boolean progress) {
    public BenchConfig {
        if (duration == null && requests < 1) {
            throw new BenchException("--requests must be >= 1, got " + requests);
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new BenchException("--duration must be positive");
        }
        if (warmup < 0) {
            throw new BenchException("--warmup must be >= 0, got " + warmup);
        }
        sweepRates = List.copyOf(sweepRates);
        if (scrapeInterval.isNegative() || scrapeInterval.isZero()) {
            throw new BenchException("--scrape-interval must be positive");
        }
        if (load == null && sweepRates.isEmpty()) {
            throw new BenchException("give --rate, --concurrency or --sweep");
        }
    }

    /** A run of {@code requests} requests (no duration). */
    public BenchConfig(URI url, String model, int requests, LoadPattern load, List<Double> sweepRates,
                       PromptSpec prompts, Slo slo, int warmup, long seed, String apiKey, Duration timeout,
                       Duration scrapeInterval, Path out, boolean progress) {
        this(url, model, requests, null, load, sweepRates, prompts, slo, warmup, seed, apiKey, timeout,
                scrapeInterval, out, progress);
    }

    public boolean timed() {
        return duration != null;
    }

    public boolean sweep() {
        return !sweepRates.isEmpty();
    }
}
