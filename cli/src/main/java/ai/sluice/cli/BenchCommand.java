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
        // picocli's generated synopsis cannot show "one of these is required" for options checked in config():
        // spell it out, required groups first (in parentheses), the rest optional.
        customSynopsis = {
                "sluice bench --url=URL (--requests=N | --duration=TIME)",
                "             (--concurrency=C | --rate=R | --sweep=R1,R2,...)",
                "             (--input-len=I --output-len=O | --dataset=FILE.jsonl)",
                "             [--model=NAME] [--api-key=KEY] [--slo-ttft=TIME]",
                "             [--slo-tpot=TIME] [--slo-attainment=F] [--warmup=N] [--seed=S]",
                "             [--timeout=TIME] [--scrape-interval=TIME] [--out=DIR] [--quiet]",
                "Each group in parentheses is required: one choice of those split by '|'.",
                ""},
        description = {"Load-test an OpenAI-compatible server (Sluice, vLLM, llama.cpp, a gateway) over HTTP:",
                "TTFT, TPOT, ITL, E2E latency, throughput and goodput, a JSON result and an HTML report."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--url", paramLabel = "URL", required = true, description = "Required. Server root, e.g. http://localhost:8000.")
    URI url;

    @Option(names = "--model", paramLabel = "NAME", description = "Model name to request (default: the first of GET /v1/models).")
    String model;

    @Option(names = "--requests", paramLabel = "N",
            description = "Required unless --duration: measured requests (per sweep step).")
    Integer requests;

    @Option(names = "--duration", paramLabel = "TIME", converter = RunLengthConverter.class,
            description = "Instead of --requests: send for this long (per sweep step), e.g. 30s or 2m; requests "
                    + "in flight then finish and count.")
    Duration duration;

    @Option(names = "--rate", paramLabel = "R", converter = RateConverter.class,
            description = "One of --rate, --concurrency, --sweep is required. Open loop: Poisson arrivals at this "
                    + "many requests/s ('inf' sends all at once).")
    Double rate;

    @Option(names = "--concurrency", paramLabel = "C",
            description = "One of --rate, --concurrency, --sweep is required. Closed loop: this many requests in "
                    + "flight.")
    Integer concurrency;

    @Option(names = "--sweep", paramLabel = "R1,R2,...", hideParamSyntax = true, split = ",", converter = RateConverter.class,
            description = "One of --rate, --concurrency, --sweep is required. Poisson rates to sweep, e.g. 1,2,4,8; "
                    + "finds the highest meeting the SLOs.")
    List<Double> sweep = new ArrayList<>();

    @Option(names = "--input-len", paramLabel = "I",
            description = "Required with --output-len unless --dataset: synthetic prompt length in tokens, fitted "
                    + "exactly with the server's /tokenize (vLLM's or llama-server's form), else estimated.")
    Integer inputLen;

    @Option(names = "--output-len", paramLabel = "O",
            description = "Required unless --dataset: tokens to generate per request (with --dataset: overrides "
                    + "the file).")
    Integer outputLen;

    @Option(names = "--dataset", paramLabel = "FILE.jsonl",
            description = "Instead of --input-len: JSONL prompts, ShareGPT-like {\"conversations\":[...]} or "
                    + "{\"prompt\":...}.")
    Path dataset;

    @Option(names = "--slo-ttft", paramLabel = "TIME", converter = DurationConverter.class, description = "TTFT SLO, e.g. 500ms or 1.5s.")
    Duration sloTtft;

    @Option(names = "--slo-tpot", paramLabel = "TIME", converter = DurationConverter.class, description = "TPOT SLO, e.g. 50ms.")
    Duration sloTpot;

    @Option(names = "--slo-attainment", paramLabel = "F", defaultValue = "0.95",
            description = "Fraction of requests that must meet the SLOs for a sweep step to pass (default ${DEFAULT-VALUE}).")
    double sloAttainment;

    @Option(names = "--out", paramLabel = "DIR", description = "Directory for result.json and report.html (default: bench-results/<time>).")
    Path out;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0", description = "Warm-up requests sent first and not measured.")
    int warmup;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed for prompts and arrival times (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Bearer token for the server (needed when it was started with an API key).")
    String apiKey;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "300s", converter = DurationConverter.class,
            description = "Limit for one whole request (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--scrape-interval", paramLabel = "TIME", defaultValue = "250ms", converter = DurationConverter.class,
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
        if ((requests == null) == (duration == null)) {
            throw new BenchException("give exactly one of --requests N (a count) or --duration TIME (e.g. 30s)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new BenchException("--timeout must be positive");
        }
        Path dir = out != null ? out : Path.of("bench-results",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        boolean progress = !quiet && System.console() != null && System.console().isTerminal();
        return new BenchConfig(url, model, requests == null ? 0 : requests, duration, load, rates, prompts, new Slo(sloTtft, sloTpot, sloAttainment),
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

    /** A run's length: a duration with its unit ({@code 30s}, {@code 2m}); a bare {@code 30} is refused as ambiguous. */
    static final class RunLengthConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value.strip().matches("\\d+(\\.\\d+)?")) {
                throw new TypeConversionException("--duration needs a unit: '" + value.strip() + "s' or '"
                        + value.strip() + "m'?");
            }
            return new DurationConverter().convert(value);
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
