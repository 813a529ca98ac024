package ai.sluice.bench;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs one {@code sluice bench}: checks the server (reachable, key accepted), resolves the model, prepares prompts,
 * runs a single load or a rate sweep, reads the server's own {@code /metrics} around each run, and writes the JSON
 * result and HTML report. Knows nothing about the server but its HTTP API.
 */
public final class Bench {
    private final BenchConfig config;
    private final PrintStream log;

    /** @param log where progress and notes go (stderr in the command line) */
    public Bench(BenchConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /**
     * What a run produced: exactly one of {@code single} and {@code sweep} is set; {@code server} holds what the
     * server's {@code /metrics} counted during each measured run (empty when it has none).
     */
    public record Outcome(RunInfo info, BenchResult single, SweepResult sweep, List<ServerMetrics> server) {
        public Outcome {
            server = List.copyOf(server);
        }

        public Outcome(RunInfo info, BenchResult single, SweepResult sweep) {
            this(info, single, sweep, List.of());
        }
    }

    /**
     * The settings a result was measured under, written into the result and the report.
     *
     * @param requests      measured requests asked for per run; 0 when the runs were timed
     * @param durationS     how long each run sent requests ({@code --duration}); null when counted
     * @param tokenCounting how prompt lengths were counted while preparing: exact or estimated, and how
     * @param promptLengths the prompt lengths the measured requests had, and where that figure comes from
     */
    public record RunInfo(String url, String model, String load, int requests, Double durationS, int warmup, long seed,
                          String prompts, String tokenCounting, String promptLengths, Double sloTtftMs,
                          Double sloTpotMs, double sloAttainment, String startedAt) {
    }

    public Outcome run() {
        String startedAt = Instant.now().toString();
        try (CompletionClient client = new CompletionClient(config.url(), config.apiKey(), config.timeout())) {
            String model = ServerChecks.model(client, config.model());
            TokenCounter counter = TokenCounter.probe(client, model);
            if (!counter.exact()) {
                log.println("bench: prompt token counts are " + counter.describe());
            }
            Supplier<Prompt> source = switch (config.prompts()) {
                case PromptSpec.Synthetic s -> SyntheticPrompts.supplier(s.inputLen(), s.outputLen(), config.seed(),
                        counter);
                case PromptSpec.Dataset d -> DatasetPrompts.supplier(d.file(), d.outputLen(), config.seed(), counter);
            };
            List<Prompt> warmup = new ArrayList<>();
            for (int i = 0; i < config.warmup(); i++) {
                warmup.add(source.get());
            }
            // Counted runs make every prompt before the clock starts; timed ones as many as the first run likely
            // needs, and the rest on demand. A sweep gets fresh prompts for every step, so a prefix cache cannot
            // favour later steps.
            int runs = config.sweep() ? config.sweepRates().size() : 1;
            PromptSupply measured = new PromptSupply(source)
                    .ahead(config.timed() ? expectedPerRun() : config.requests() * runs);
            LoadRunner runner = new LoadRunner(client, model);
            List<ServerMetrics> server = new ArrayList<>();
            List<RequestRecord> all = new ArrayList<>();
            BenchResult single = null;
            SweepResult sweep = null;
            if (config.sweep()) {
                sweep = sweep(client, runner, warmup, measured, server, all);
            } else {
                Measured m = measure(client, runner, config.load(), warmup, i -> measured.get(i), "bench");
                single = Metrics.summarize(config.load().describe(), m.run.records(), m.run.durationNanos(),
                        config.slo());
                m.server.ifPresent(server::add);
                all.addAll(m.run.records());
            }
            Outcome outcome = new Outcome(info(model, counter, all, startedAt), single, sweep, server);
            if (config.out() != null) {
                Reports.write(config.out(), outcome);
            }
            return outcome;
        }
    }

    /** Prompts a timed run is likely to need: the rate times the duration for open loop, a guess for closed. */
    private int expectedPerRun() {
        double seconds = config.duration().toNanos() / 1e9;
        return switch (config.load()) {
            case LoadPattern.OpenLoop open when !Double.isInfinite(open.rate()) ->
                    (int) Math.min(100_000, Math.ceil(open.rate() * seconds * 1.2) + 1);
            case LoadPattern.ClosedLoop closed -> closed.concurrency() * 4;
            case null, default -> 16;
        };
    }

    /** One measured run with its queue samples and, when the server has {@code /metrics}, what it counted. */
    private record Measured(LoadRunner.Run run, List<QueueWatcher.Sample> samples,
                            Optional<ServerMetrics> server) {
    }

    private Measured measure(CompletionClient client, LoadRunner runner, LoadPattern load, List<Prompt> warmup,
                             IntFunction<Prompt> prompts, String label) {
        if (!warmup.isEmpty()) {
            runner.run(load, warmup, List.of(), ChunkListener.NONE);
        }
        Optional<String> before = client.get("/metrics");
        LoadRunner.Run run;
        List<QueueWatcher.Sample> samples;
        try (QueueWatcher watcher = new QueueWatcher(client, config.scrapeInterval().toMillis())) {
            run = runWithProgress(runner, load, prompts, label);
            samples = watcher.stop();
        }
        Optional<String> after = client.get("/metrics");
        long epoch = run.epochNanos();
        List<QueueWatcher.Sample> during = samples.stream().filter(s -> s.atNanos() >= epoch).toList();
        Optional<ServerMetrics> server = before.isPresent() && after.isPresent()
                ? Optional.of(ServerMetrics.between(label, PrometheusText.parse(before.get()),
                PrometheusText.parse(after.get()),
                during.stream().mapToDouble(QueueWatcher.Sample::waiting).max().orElse(Double.NaN)))
                : Optional.empty();
        return new Measured(run, during, server);
    }

    private LoadRunner.Run runWithProgress(LoadRunner runner, LoadPattern load, IntFunction<Prompt> prompts,
                                           String label) {
        int total = config.timed() ? 0 : config.requests();
        if (!config.progress()) {
            return send(runner, load, prompts, ChunkListener.NONE);
        }
        try (ProgressLine progress = new ProgressLine(log, label, total)) {
            return send(runner, load, prompts, progress);
        }
    }

    private LoadRunner.Run send(LoadRunner runner, LoadPattern load, IntFunction<Prompt> prompts,
                                ChunkListener listener) {
        if (config.timed()) {
            return runner.runFor(load, List.of(), prompts, config.duration().toNanos(), listener);
        }
        List<Prompt> list = new ArrayList<>(config.requests());
        for (int i = 0; i < config.requests(); i++) {
            list.add(prompts.apply(i));
        }
        return runner.run(load, List.of(), list, listener);
    }

    private SweepResult sweep(CompletionClient client, LoadRunner runner, List<Prompt> warmup, PromptSupply measured,
                              List<ServerMetrics> server, List<RequestRecord> all) {
        List<SweepResult.Step> steps = new ArrayList<>();
        List<HpaAdvice.Observation> observations = new ArrayList<>();
        Double best = null;
        int offset = 0;
        for (int k = 0; k < config.sweepRates().size(); k++) {
            double rate = config.sweepRates().get(k);
            LoadPattern load = new LoadPattern.OpenLoop(rate, config.seed());
            int first = offset;
            // Warm up once, before the first step: later steps find the server warm already.
            Measured m = measure(client, runner, load, k == 0 ? warmup : List.of(), i -> measured.get(first + i),
                    "rate " + rate);
            LoadRunner.Run run = m.run;
            offset += run.records().size();
            all.addAll(run.records());
            m.server.ifPresent(server::add);
            BenchResult result = Metrics.summarize(load.describe(), run.records(), run.durationNanos(), config.slo());
            observations.addAll(HpaAdvice.observe(run.records(), run.epochNanos(), m.samples, config.slo()));
            double mean = m.samples.stream().mapToDouble(QueueWatcher.Sample::waiting).average().orElse(Double.NaN);
            double max = m.samples.stream().mapToDouble(QueueWatcher.Sample::waiting).max().orElse(Double.NaN);
            boolean meets = SweepResult.meets(result, config.slo());
            steps.add(new SweepResult.Step(rate, meets, mean, max, result));
            if (meets) {
                best = rate;
            } else {
                log.println("bench: rate " + rate + " misses the SLOs; stopping the sweep");
                break;
            }
        }
        HpaAdvice hpa = config.slo().ttft() == null
                ? new HpaAdvice(null, null, 0, 0, List.of(), "no HPA target: give --slo-ttft to find where it breaks")
                : HpaAdvice.analyze(observations, config.slo().attainment());
        return new SweepResult(steps, best, hpa);
    }

    private RunInfo info(String model, TokenCounter counter, List<RequestRecord> records, String startedAt) {
        String prompts = switch (config.prompts()) {
            case PromptSpec.Synthetic s -> "synthetic, " + s.inputLen() + " tokens in, " + s.outputLen() + " out";
            case PromptSpec.Dataset d -> "dataset " + d.file().getFileName()
                    + (d.outputLen() > 0 ? ", " + d.outputLen() + " tokens out" : "");
        };
        String load = config.sweep() ? "sweep over Poisson rates " + config.sweepRates() : config.load().describe();
        Slo slo = config.slo();
        return new RunInfo(config.url().toString(), model, load, config.timed() ? 0 : config.requests(),
                config.timed() ? config.duration().toNanos() / 1e9 : null, config.warmup(), config.seed(), prompts,
                counter.describe(), promptLengths(records, counter),
                slo.ttft() == null ? null : slo.ttft().toNanos() / 1e6,
                slo.tpot() == null ? null : slo.tpot().toNanos() / 1e6, slo.attainment(), startedAt);
    }

    /**
     * The prompt lengths the measured requests had: the server's usage counts where every request reported one
     * (what it processed), else the counts made while preparing, said to be estimated unless the server counted.
     */
    static String promptLengths(List<RequestRecord> records, TokenCounter counter) {
        if (records.isEmpty()) {
            return "no requests";
        }
        IntSummaryStatistics stats = records.stream().mapToInt(RequestRecord::promptTokens).summaryStatistics();
        boolean usage = records.stream().allMatch(RequestRecord::usageReported);
        String source = usage ? "as the server reported them in usage"
                : counter.exact() ? "as the server's /tokenize counted them" : "estimated, one token per word";
        return String.format(Locale.ROOT, "min %d, mean %.1f, max %d tokens (%s)", stats.getMin(),
                stats.getAverage(), stats.getMax(), source);
    }
}
