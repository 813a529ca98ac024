package ai.sluice.cli;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.model.Pooling;
import ai.sluice.engine.EmbeddingListener;
import ai.sluice.engine.EmbeddingRequest;
import ai.sluice.engine.EncoderEngine;
import ai.sluice.engine.Engine;
import ai.sluice.engine.EngineConfig;
import ai.sluice.engine.FinishReason;
import ai.sluice.engine.LlamaRunner;
import ai.sluice.engine.RequestHandle;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * {@code sluice bench-embed}: embeddings per second in process, one input at a time (submit, wait,
 * next) against all inputs submitted at once (the engine batches them into shared forward passes),
 * interleaved round by round so both see the same machine load; checks that both give the same
 * vectors. Decoders run on the continuous-batching engine, encoders (BERT) on the encoder engine.
 */
@Command(name = "bench-embed", mixinStandardHelpOptions = true,
        description = "Measure embeddings/s and tokens/s, one request at a time vs batched, in process.")
final class BenchEmbedCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--inputs", defaultValue = "64", paramLabel = "N", description = "Inputs per round (default: ${DEFAULT-VALUE}).")
    int inputs;

    @Option(names = "--tokens", defaultValue = "64", paramLabel = "L", description = "Tokens per input (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "R", description = "Timed rounds of each mode (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--max-batched-tokens", defaultValue = "512", paramLabel = "N", description = "Tokens per engine step (default: ${DEFAULT-VALUE}).")
    int maxBatchedTokens;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    /** An engine's embed call. */
    @FunctionalInterface
    private interface Embed {
        RequestHandle embed(EmbeddingRequest request, EmbeddingListener listener);
    }

    @Override
    public Integer call() throws Exception {
        if (inputs < 1 || tokens < 1 || rounds < 1 || maxBatchedTokens < 1) {
            throw new IllegalArgumentException("--inputs, --tokens, --rounds and --max-batched-tokens must be >= 1");
        }
        EngineConfig config = EngineConfig.builder().maxNumSeqs(Math.min(inputs, 256)).maxBatchedTokens(maxBatchedTokens)
                .maxModelLen(tokens).maxWaitingRequests(Math.max(256, inputs)).kvCacheType(model.kvTypeOr(KvType.F32))
                .kvCacheFraction(0.5).build();
        Map<String, Object> r;
        if (model.isEncoder()) {
            try (LoadedEncoder m = model.loadEncoder(); EncoderEngine e = EncoderEngine.start(m.model(), config)) {
                r = measure(e::embed, m.model().vocabSize(), m.backend().threads(),
                        m.model().config().architecture() + " encoder (no KV cache)");
            }
        } else {
            try (LoadedModel m = model.load(); Engine e = Engine.start(new LlamaRunner(m.model()), config)) {
                r = measure(e::embed, m.model().vocabSize(), m.backend().threads(), "decoder (prefill-only sequences)");
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(r));
        }
        return 0;
    }

    private Map<String, Object> measure(Embed engine, int vocab, int threads, String kind) throws Exception {
        SplittableRandom random = new SplittableRandom(1);
        List<int[]> batch = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            batch.add(random.ints(tokens, Math.min(1000, vocab / 2), vocab).toArray());
        }
        // warm-up (JIT): both modes, untimed
        oneByOne(engine, batch.subList(0, Math.min(4, inputs)));
        batched(engine, batch.subList(0, Math.min(16, inputs)));
        double[] single = new double[rounds];
        double[] together = new double[rounds];
        boolean identical = true;
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            List<float[]> a = oneByOne(engine, batch);
            long t1 = System.nanoTime();
            List<float[]> b = batched(engine, batch);
            long t2 = System.nanoTime();
            single[round] = inputs / ((t1 - t0) / 1e9);
            together[round] = inputs / ((t2 - t1) / 1e9);
            for (int i = 0; i < inputs; i++) {
                identical &= Arrays.equals(a.get(i), b.get(i));
            }
        }
        double s = median(single);
        double t = median(together);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model.file().getFileName().toString());
        r.put("kind", kind);
        r.put("threads", threads);
        r.put("inputs", inputs);
        r.put("tokens_per_input", tokens);
        r.put("rounds", rounds);
        r.put("one_by_one_embeddings_s", s);
        r.put("one_by_one_tokens_s", s * tokens);
        r.put("batched_embeddings_s", t);
        r.put("batched_tokens_s", t * tokens);
        r.put("speedup", t / s);
        r.put("identical_vectors", identical);
        if (!json) {
            System.out.printf(Locale.ROOT, "model %s, %s, %d threads, %d inputs of %d tokens, median of %d rounds%n",
                    r.get("model"), kind, threads, inputs, tokens, rounds);
            System.out.println("mode         embeddings/s  tokens/s");
            System.out.printf(Locale.ROOT, "one by one   %12.1f  %8.0f%n", s, s * tokens);
            System.out.printf(Locale.ROOT, "batched      %12.1f  %8.0f   %.2fx%n", t, t * tokens, t / s);
            System.out.println("batched vectors identical to one-by-one: " + (identical ? "yes" : "NO"));
        }
        return r;
    }

    private static List<float[]> oneByOne(Embed engine, List<int[]> batch) throws Exception {
        List<float[]> out = new ArrayList<>();
        for (int[] input : batch) {
            out.add(submit(engine, input).get(600, TimeUnit.SECONDS));
        }
        return out;
    }

    private static List<float[]> batched(Embed engine, List<int[]> batch) throws Exception {
        List<CompletableFuture<float[]>> futures = new ArrayList<>();
        for (int[] input : batch) {
            futures.add(submit(engine, input));
        }
        List<float[]> out = new ArrayList<>();
        for (CompletableFuture<float[]> f : futures) {
            out.add(f.get(600, TimeUnit.SECONDS));
        }
        return out;
    }

    private static CompletableFuture<float[]> submit(Embed engine, int[] input) {
        CompletableFuture<float[]> f = new CompletableFuture<>();
        engine.embed(new EmbeddingRequest("bench", input, Pooling.MEAN, true), new EmbeddingListener() {
            @Override
            public void onEmbedding(float[] embedding, int n) {
                f.complete(embedding);
            }

            @Override
            public void onFailure(FinishReason reason) {
                f.completeExceptionally(new IllegalStateException("embedding failed: " + reason));
            }
        });
        return f;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
