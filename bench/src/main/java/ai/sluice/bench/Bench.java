package ai.sluice.bench;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one {@code sluice bench}: resolves the model, prepares prompts, runs a single load or a rate sweep, and
 * writes the JSON result and HTML report. Knows nothing about the server but its HTTP API.
 */
public final class Bench {
    private final BenchConfig config;
    private final PrintStream log;

    /** @param log where progress and notes go (stderr in the command line) */
    public Bench(BenchConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    /** What a run produced: exactly one of {@code single} and {@code sweep} is set. */
    public record Outcome(RunInfo info, BenchResult single, SweepResult sweep) {
    }

    /** The settings a result was measured under, written into the result and the report. */
    public record RunInfo(String url, String model, String load, int requests, int warmup, long seed, String prompts,
                          String tokenCounting, Double sloTtftMs, Double sloTpotMs, double sloAttainment,
                          String startedAt) {
    }

    public Outcome run() {
        try (CompletionClient client = new CompletionClient(config.url(), config.apiKey(), config.timeout())) {
            String model = config.model() != null ? config.model() : client.firstModel().orElseThrow(() ->
                    new BenchException("cannot ask " + client.base() + "/v1/models for the model name "
                            + "(server down or no models listed); give --model"));
            TokenCounter counter = TokenCounter.probe(client, model);
            if (!counter.exact()) {
                log.println("bench: the server has no /tokenize; prompt lengths are approximate (one token per word)");
            }
            // A sweep gets fresh prompts for every step, so a prefix cache cannot favour later steps.
            int runs = config.sweep() ? config.sweepRates().size() : 1;
            List<Prompt> prompts = prompts(config.warmup() + config.requests() * runs, counter);
            List<Prompt> warmup = prompts.subList(0, config.warmup());
            List<Prompt> measured = prompts.subList(config.warmup(), prompts.size());
            LoadRunner runner = new LoadRunner(client, model);
            RunInfo info = info(model, counter);
            Outcome outcome;
            if (config.sweep()) {
                outcome = new Outcome(info, null, sweep(client, runner, warmup, measured));
            } else {
                outcome = new Outcome(info, single(runner, config.load(), warmup, measured, "bench"), null);
            }
            if (config.out() != null) {
                Reports.write(config.out(), outcome);
            }
            return outcome;
        }
    }

    private List<Prompt> prompts(int count, TokenCounter counter) {
        return switch (config.prompts()) {
            case PromptSpec.Synthetic s -> SyntheticPrompts.generate(count, s.inputLen(), s.outputLen(),
                    config.seed(), counter);
            case PromptSpec.Dataset d -> DatasetPrompts.load(d.file(), count, d.outputLen(), config.seed(), counter);
        };
    }

    private BenchResult single(LoadRunner runner, LoadPattern load, List<Prompt> warmup, List<Prompt> measured,
                               String label) {
        LoadRunner.Run run = runWithProgress(runner, load, warmup, measured, label);
        return Metrics.summarize(load.describe(), run.records(), run.durationNanos(), config.slo());
    }

    private LoadRunner.Run runWithProgress(LoadRunner runner, LoadPattern load, List<Prompt> warmup,
                                           List<Prompt> measured, String label) {
        if (!config.progress()) {
            return runner.run(load, warmup, measured, ChunkListener.NONE);
        }
        try (ProgressLine progress = new ProgressLine(log, label, measured.size())) {
            return runner.run(load, warmup, measured, progress);
        }
    }

    private SweepResult sweep(CompletionClient client, LoadRunner runner, List<Prompt> warmup, List<Prompt> measured) {
        List<SweepResult.Step> steps = new ArrayList<>();
        List<HpaAdvice.Observation> observations = new ArrayList<>();
        Double best = null;
        boolean first = true;
        int n = config.requests();
        for (int k = 0; k < config.sweepRates().size(); k++) {
            double rate = config.sweepRates().get(k);
            List<Prompt> stepPrompts = measured.subList(k * n, (k + 1) * n);
            LoadPattern load = new LoadPattern.OpenLoop(rate, config.seed());
            LoadRunner.Run run;
            List<QueueWatcher.Sample> samples;
            // Warm up once, before the first step: later steps find the server warm already.
            List<Prompt> stepWarmup = first ? warmup : List.of();
            first = false;
            try (QueueWatcher watcher = new QueueWatcher(client, config.scrapeInterval().toMillis())) {
                run = runWithProgress(runner, load, stepWarmup, stepPrompts, "rate " + rate);
                samples = watcher.stop();
            }
            BenchResult result = Metrics.summarize(load.describe(), run.records(), run.durationNanos(), config.slo());
            long epoch = run.epochNanos();
            List<QueueWatcher.Sample> during = samples.stream()
                    .filter(s -> s.atNanos() >= epoch).toList();
            observations.addAll(HpaAdvice.observe(run.records(), epoch, during, config.slo()));
            double mean = during.stream().mapToDouble(QueueWatcher.Sample::waiting).average().orElse(Double.NaN);
            double max = during.stream().mapToDouble(QueueWatcher.Sample::waiting).max().orElse(Double.NaN);
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

    private RunInfo info(String model, TokenCounter counter) {
        String prompts = switch (config.prompts()) {
            case PromptSpec.Synthetic s -> "synthetic, " + s.inputLen() + " tokens in, " + s.outputLen() + " out";
            case PromptSpec.Dataset d -> "dataset " + d.file().getFileName()
                    + (d.outputLen() > 0 ? ", " + d.outputLen() + " tokens out" : "");
        };
        String load = config.sweep() ? "sweep over Poisson rates " + config.sweepRates() : config.load().describe();
        Slo slo = config.slo();
        return new RunInfo(config.url().toString(), model, load, config.requests(), config.warmup(), config.seed(),
                prompts, counter.exact() ? "server /tokenize (exact)" : "words (approximate)",
                slo.ttft() == null ? null : slo.ttft().toNanos() / 1e6,
                slo.tpot() == null ? null : slo.tpot().toNanos() / 1e6, slo.attainment(), Instant.now().toString());
    }
}
