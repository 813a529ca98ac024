package ai.sluice.cli;

import ai.sluice.engine.Engine;
import ai.sluice.engine.EngineConfig;
import ai.sluice.engine.FinishReason;
import ai.sluice.engine.GenerationListener;
import ai.sluice.engine.GenerationRequest;
import ai.sluice.engine.KvCacheLayout;
import ai.sluice.core.tensor.KvType;
import ai.sluice.engine.LlamaRunner;
import ai.sluice.engine.TokenLogprobs;
import ai.sluice.engine.Usage;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice bench-batch}: the engine's aggregate decode speed with N concurrent sequences
 * (continuous batching, in process), and optionally the overload scenario: many requests against a
 * KV budget of a few sequences, checked token for token against unconstrained runs.
 */
@Command(name = "bench-batch", mixinStandardHelpOptions = true,
        description = "Measure aggregate decode tok/s of the batching engine at several concurrencies; --overload "
                + "runs many requests against a small KV budget and checks every output.")
final class BenchBatchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--concurrency", defaultValue = "1,4,16,64", split = ",", paramLabel = "N[,N...]",
            description = "Concurrent sequences to measure (default: ${DEFAULT-VALUE}).")
    int[] concurrency;

    @Option(names = "--prompt", defaultValue = "128", paramLabel = "N", description = "Prompt tokens per request (default: ${DEFAULT-VALUE}).")
    int prompt;

    @Option(names = "--output", defaultValue = "128", paramLabel = "N", description = "Generated tokens per request (default: ${DEFAULT-VALUE}).")
    int output;

    @Option(names = "--max-batched-tokens", defaultValue = "512", paramLabel = "N", description = "Tokens per engine step (default: ${DEFAULT-VALUE}).")
    int maxBatchedTokens;

    @Option(names = "--overload", description = "Run the overload scenario instead of the concurrency sweep.")
    boolean overload;

    @Option(names = "--requests", defaultValue = "200", paramLabel = "N", description = "Overload: requests (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--budget-seqs", defaultValue = "8", paramLabel = "N", description = "Overload: KV budget in full-length sequences (default: ${DEFAULT-VALUE}).")
    int budgetSeqs;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    /** Distinct prompts in the overload scenario (each checked against its unconstrained output). */
    private static final int DISTINCT_PROMPTS = 8;
    /**
     * The engines here run with the default block size; their budgets are whole blocks of it. The
     * claim that overload keeps every output correct is tested in engine (RealModelEngineTest, at
     * several block sizes); --overload measures it under load and reports it.
     */
    private static final int BLOCK_SIZE = EngineConfig.DEFAULT_BLOCK_SIZE;

    @Override
    public Integer call() throws Exception {
        if (prompt < 1 || output < 1 || requests < 1 || budgetSeqs < 1 || maxBatchedTokens < 1) {
            throw new IllegalArgumentException("--prompt, --output, --requests, --budget-seqs and --max-batched-tokens must be >= 1");
        }
        Map<String, Object> r = new LinkedHashMap<>();
        try (LoadedModel m = model.load()) {
            int context = m.model().config().shape().contextLength();
            if (context > 0 && prompt + output > context) {
                throw new IllegalArgumentException("--prompt + --output = " + (prompt + output)
                        + " exceeds the model's context of " + context + " tokens");
            }
            r.put("model", model.file().getFileName().toString());
            r.put("threads", m.backend().threads());
            r.put("prompt", prompt);
            r.put("output", output);
            if (overload) {
                r.put("overload", overload(m, model.kvTypeOr(KvType.F32)));
            } else {
                r.put("runs", sweep(m, model.kvTypeOr(KvType.F32)));
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(r));
        }
        return 0;
    }

    private List<Map<String, Object>> sweep(LoadedModel m, KvType kv) throws Exception {
        List<Map<String, Object>> runs = new ArrayList<>();
        // warm-up (JIT, page cache): the batched and the single-sequence paths, short and untimed
        for (int c : new int[] {16, 1}) {
            run(m, kv, c, Math.min(output, 16));
        }
        double single = 0;
        if (!json) {
            System.out.printf(Locale.ROOT, "model %s, %d threads, prompt %d, output %d%n",
                    model.file().getFileName(), m.backend().threads(), prompt, output);
            System.out.println("concurrency  decode tok/s  per sequence  vs 1 seq  wall s");
        }
        for (int c : concurrency) {
            Result res = run(m, kv, c, output);
            if (c == 1) {
                single = res.decodeTokS;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("concurrency", c);
            row.put("decode_tok_s", res.decodeTokS);
            row.put("per_sequence_tok_s", res.decodeTokS / c);
            row.put("speedup_vs_1", single > 0 ? res.decodeTokS / single : Double.NaN);
            row.put("wall_s", res.wallSeconds);
            runs.add(row);
            if (!json) {
                System.out.printf(Locale.ROOT, "%11d  %12.1f  %12.1f  %7.2fx  %6.2f%n", c, res.decodeTokS,
                        res.decodeTokS / c, single > 0 ? res.decodeTokS / single : Double.NaN, res.wallSeconds);
            }
        }
        return runs;
    }

    private record Result(double decodeTokS, double wallSeconds) {
    }

    /** Runs {@code c} requests at once; decode speed is measured while all {@code c} are decoding. */
    private Result run(LoadedModel m, KvType kv, int c, int outputLength) throws Exception {
        int vocab = m.model().vocabSize();
        long perToken = new LlamaRunner(m.model(), 1).kvBytesPerToken(kv);
        EngineConfig config = EngineConfig.builder()
                .maxNumSeqs(c)
                .maxBatchedTokens(Math.max(maxBatchedTokens, c))
                .maxModelLen(prompt + outputLength)
                .kvCacheType(kv)
                .kvCacheBytes(KvCacheLayout.bytesForSequences(c, prompt + outputLength, BLOCK_SIZE, perToken))
                .prefixCaching(false)
                .build();
        List<Timed> outs = new ArrayList<>();
        long start = System.nanoTime();
        try (Engine engine = Engine.start(new LlamaRunner(m.model()), config)) {
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < c; i++) {
                Timed t = new Timed(outputLength);
                outs.add(t);
                int[] p = random.ints(prompt, 3, vocab).toArray();
                engine.submit(GenerationRequest.builder("bench-" + i, p).maxTokens(outputLength).ignoreEos(true).build(), t);
            }
            for (Timed t : outs) {
                t.done.get(1, TimeUnit.HOURS);
            }
        }
        long end = System.nanoTime();
        // steady state: from the moment every sequence has its first token to the first finish
        long from = 0;
        long to = Long.MAX_VALUE;
        for (Timed t : outs) {
            from = Math.max(from, t.times[0]);
            to = Math.min(to, t.times[t.count - 1]);
        }
        long tokens = 0;
        for (Timed t : outs) {
            for (int i = 0; i < t.count; i++) {
                if (t.times[i] > from && t.times[i] <= to) {
                    tokens++;
                }
            }
        }
        double decode = to > from ? tokens / ((to - from) / 1e9) : Double.NaN;
        return new Result(decode, (end - start) / 1e9);
    }

    private Map<String, Object> overload(LoadedModel m, KvType kv) throws Exception {
        int vocab = m.model().vocabSize();
        int length = prompt + output;
        SplittableRandom random = new SplittableRandom(11);
        int[][] prompts = new int[DISTINCT_PROMPTS][];
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = random.ints(prompt, 3, vocab).toArray();
        }
        long perToken = new LlamaRunner(m.model(), 1).kvBytesPerToken(kv);

        // references: each distinct prompt with room for all of them at once
        int[][] reference = new int[prompts.length][];
        EngineConfig roomy = EngineConfig.builder().maxNumSeqs(prompts.length).maxBatchedTokens(maxBatchedTokens)
                .maxModelLen(length).kvCacheType(kv)
                .kvCacheBytes(KvCacheLayout.bytesForSequences(prompts.length, length, BLOCK_SIZE, perToken))
                .prefixCaching(false).build();
        try (Engine engine = Engine.start(new LlamaRunner(m.model()), roomy)) {
            List<Timed> outs = submitAll(engine, prompts, prompts.length);
            for (int i = 0; i < prompts.length; i++) {
                outs.get(i).done.get(1, TimeUnit.HOURS);
                reference[i] = Arrays.copyOf(outs.get(i).tokens, outs.get(i).count);
            }
        }

        EngineConfig tight = EngineConfig.builder().maxNumSeqs(64).maxBatchedTokens(maxBatchedTokens)
                .maxModelLen(length).kvCacheType(kv)
                .kvCacheBytes(KvCacheLayout.bytesForSequences(budgetSeqs, length, BLOCK_SIZE, perToken))
                .maxWaitingRequests(Math.max(requests, 1)).prefixCaching(false).build();
        Map<String, Object> r = new LinkedHashMap<>();
        long start = System.nanoTime();
        try (Engine engine = Engine.start(new LlamaRunner(m.model()), tight)) {
            List<Timed> outs = submitAll(engine, prompts, requests);
            int correct = 0;
            Map<String, Integer> reasons = new LinkedHashMap<>();
            for (int i = 0; i < requests; i++) {
                Timed t = outs.get(i);
                FinishReason reason = t.done.get(1, TimeUnit.HOURS);
                reasons.merge(reason.label(), 1, Integer::sum);
                if (Arrays.equals(Arrays.copyOf(t.tokens, t.count), reference[i % prompts.length])) {
                    correct++;
                }
            }
            engine.awaitIdle(Duration.ofSeconds(10));
            double wall = (System.nanoTime() - start) / 1e9;
            r.put("requests", requests);
            r.put("kv_budget_sequences", budgetSeqs);
            r.put("kv_blocks", engine.kvCacheLayout().blocks());
            r.put("correct_outputs", correct);
            r.put("finished", reasons);
            r.put("preemptions", engine.metrics().preemptions());
            r.put("generated_tokens", engine.metrics().generationTokens());
            r.put("wall_s", wall);
            r.put("generated_tok_s", engine.metrics().generationTokens() / wall);
            if (!json) {
                System.out.printf(Locale.ROOT, "overload: %d requests of %d + %d tokens, KV budget %d sequences (%d blocks)%n",
                        requests, prompt, output, budgetSeqs, engine.kvCacheLayout().blocks());
                System.out.printf(Locale.ROOT, "finished %s, %d/%d outputs identical to unconstrained runs, %d preemptions%n",
                        reasons, correct, requests, engine.metrics().preemptions());
                System.out.printf(Locale.ROOT, "%.1f s, %.1f generated tok/s%n", wall,
                        engine.metrics().generationTokens() / wall);
            }
        }
        return r;
    }

    private List<Timed> submitAll(Engine engine, int[][] prompts, int n) {
        List<Timed> outs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Timed t = new Timed(output);
            outs.add(t);
            engine.submit(GenerationRequest.builder("overload-" + i, prompts[i % prompts.length]).maxTokens(output)
                    .ignoreEos(true).build(), t);
        }
        return outs;
    }

    /** Records each token and when it arrived (engine thread only until done completes). */
    private static final class Timed implements GenerationListener {
        final int[] tokens;
        final long[] times;
        int count;
        final CompletableFuture<FinishReason> done = new CompletableFuture<>();

        Timed(int output) {
            tokens = new int[output];
            times = new long[output];
        }

        @Override
        public void onToken(int token, String textDelta, TokenLogprobs logprobs) {
            times[count] = System.nanoTime();
            tokens[count++] = token;
        }

        @Override
        public void onFinish(FinishReason reason, String finalText, Usage usage) {
            done.complete(reason);
        }
    }
}
