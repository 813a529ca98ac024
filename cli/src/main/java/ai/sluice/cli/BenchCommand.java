package ai.sluice.cli;

import ai.sluice.bench.Bench;
import ai.sluice.bench.BenchConfig;
import ai.sluice.bench.BenchException;
import ai.sluice.bench.LoadPattern;
import ai.sluice.bench.PromptSpec;
import ai.sluice.bench.Reports;
import ai.sluice.bench.Slo;
import ai.sluice.bench.SummaryTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code sluice bench}: load-tests any OpenAI-compatible server and reports vLLM-style serving metrics. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {"Load-test an OpenAI-compatible server (Sluice, vLLM, llama.cpp, a gateway) over HTTP:",
                "TTFT, TPOT, ITL, E2E latency, throughput and goodput, a JSON result and an HTML report."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--url", required = true, description = "Server root, e.g. http://localhost:8000.")
    URI url;

    @Option(names = "--model", description = "Model name to request (default: the first of GET /v1/models).")
    String model;

    @Option(names = "--requests", required = true, description = "Measured requests (per sweep step).")
    int requests;

    @Option(names = "--rate", converter = RateConverter.class,
            description = "Open loop: Poisson arrivals at this many requests/s ('inf' sends all at once).")
    Double rate;

    @Option(names = "--concurrency", description = "Closed loop: this many requests in flight.")
    Integer concurrency;

    @Option(names = "--sweep", split = ",", converter = RateConverter.class,
            description = "Comma-separated Poisson rates to sweep, e.g. 1,2,4,8; finds the highest meeting the SLOs.")
    List<Double> sweep = new ArrayList<>();

    @Option(names = "--input-len", description = "Synthetic prompt length in tokens.")
    Integer inputLen;

    @Option(names = "--output-len", description = "Tokens to generate per request (with --dataset: overrides the file).")
    Integer outputLen;

    @Option(names = "--dataset", description = "JSONL prompts: ShareGPT-like {\"conversations\":[...]} or {\"prompt\":...}.")
    Path dataset;

    @Option(names = "--slo-ttft", converter = DurationConverter.class, description = "TTFT SLO, e.g. 500ms or 1.5s.")
    Duration sloTtft;

    @Option(names = "--slo-tpot", converter = DurationConverter.class, description = "TPOT SLO, e.g. 50ms.")
    Duration sloTpot;

    @Option(names = "--slo-attainment", defaultValue = "0.95",
            description = "Fraction of requests that must meet the SLOs for a sweep step to pass (default ${DEFAULT-VALUE}).")
    double sloAttainment;

    @Option(names = "--out", description = "Directory for result.json and report.html (default: bench-results/<time>).")
    Path out;

    @Option(names = "--warmup", defaultValue = "0", description = "Warm-up requests sent first and not measured.")
    int warmup;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for prompts and arrival times (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--api-key", description = "Bearer token for the server.")
    String apiKey;

    @Option(names = "--timeout", defaultValue = "300s", converter = DurationConverter.class,
            description = "Limit for one whole request (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--scrape-interval", defaultValue = "250ms", converter = DurationConverter.class,
            description = "How often a sweep reads the server's /metrics (default ${DEFAULT-VALUE}).")
    Duration scrapeInterval;

    @Option(names = "--quiet", description = "No progress line.")
    boolean quiet;

    PrintStream stdout = System.out;
    PrintStream stderr = System.err;

    @Override
    public Integer call() {
        BenchConfig config = config();
        Bench.Outcome outcome = new Bench(config, stderr).run();
        stdout.print(SummaryTable.render(outcome));
        stdout.flush();
        stderr.println("bench: wrote " + config.out().resolve(Reports.JSON) + " and " + Reports.HTML);
        return 0;
    }

    BenchConfig config() {
        LoadPattern load = null;
        List<Double> rates = new ArrayList<>(sweep);
        if (!rates.isEmpty()) {
            if (rate != null || concurrency != null) {
                throw new BenchException("--sweep sets the rates itself; drop --rate/--concurrency");
            }
            if (rates.stream().anyMatch(r -> r.isInfinite())) {
                throw new BenchException("--sweep rates must be finite numbers like 1,2,4,8");
            }
            rates.sort(null);
        } else if ((rate == null) == (concurrency == null)) {
            throw new BenchException("give exactly one of --rate R (open loop) or --concurrency C (closed loop), "
                    + "or --sweep R1,R2,...");
        } else {
            load = rate != null ? new LoadPattern.OpenLoop(rate, seed) : new LoadPattern.ClosedLoop(concurrency);
        }
        PromptSpec prompts;
        if (dataset != null) {
            if (inputLen != null) {
                throw new BenchException("--dataset brings its own prompts; drop --input-len");
            }
            prompts = new PromptSpec.Dataset(dataset, outputLen == null ? 0 : outputLen);
        } else if (inputLen == null || outputLen == null) {
            throw new BenchException("give --input-len I --output-len O for synthetic prompts, or --dataset FILE.jsonl");
        } else {
            prompts = new PromptSpec.Synthetic(inputLen, outputLen);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new BenchException("--timeout must be positive");
        }
        Path dir = out != null ? out : Path.of("bench-results",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        boolean progress = !quiet && System.console() != null && System.console().isTerminal();
        return new BenchConfig(url, model, requests, load, rates, prompts, new Slo(sloTtft, sloTpot, sloAttainment),
                warmup, seed, apiKey, timeout, scrapeInterval, dir, progress);
    }

    /** A rate in requests/s; {@code inf} for no gaps at all. */
    static final class RateConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            if (v.equals("inf") || v.equals("infinity")) {
                return Double.POSITIVE_INFINITY;
            }
            double r;
            try {
                r = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("not a rate in requests/s: '" + value + "'");
            }
            if (!(r > 0) || Double.isNaN(r)) {
                throw new TypeConversionException("a rate must be > 0 requests/s, got " + value);
            }
            return r;
        }
    }

    /** Durations like {@code 500ms}, {@code 1.5s}, {@code 2m}; a bare number is milliseconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?");

        @Override
        public Duration convert(String value) {
            Matcher m = FORMAT.matcher(value.strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("not a duration: '" + value + "' (use e.g. 500ms, 1.5s or 2m)");
            }
            double amount = Double.parseDouble(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            double nanos = amount * switch (unit) {
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 1e6;
            };
            return Duration.ofNanos(Math.round(nanos));
        }
    }
}
