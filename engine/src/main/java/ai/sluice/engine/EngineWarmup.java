package ai.sluice.engine;

import ai.sluice.core.sampling.SamplingParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the serving code paths before the first request, so that request does not pay for the JIT:
 * a cold server took 3.2 s to the first token of a 502-token prompt, a warmed-up one 1.6 s, as a
 * server that has long been serving (1.2-1.6 s; 110M Q8_0, 2 cores).
 *
 * <p>The work goes through a throwaway {@link Engine} with its own small KV pool: the serving
 * engine's metrics, histograms and prefix cache start empty. Each round prefills {@link #SEQUENCES}
 * short random prompts together (the batched kernels), decodes them together (batched decode),
 * then decodes one alone (the batch-of-one kernels), greedy and sampled. Two rounds: the first
 * triggers the compilations, the second runs compiled code (its time says how warm the process is).
 */
public final class EngineWarmup {
    static final int SEQUENCES = 4;
    static final int PROMPT_TOKENS = 24;
    static final int OUTPUT_TOKENS = 8;
    private static final int ROUNDS = 2;
    /** A warm-up request that takes longer than this means something is wrong; startup must not hang on it. */
    private static final Duration REQUEST_LIMIT = Duration.ofMinutes(5);

    /** What the warm-up did: the time of each round and the tokens generated in all. */
    public record Report(List<Duration> rounds, long generatedTokens) {
        public Report {
            rounds = List.copyOf(rounds);
        }
    }

    private EngineWarmup() {
    }

    /**
     * Warms up on {@code runner} (owned and closed here) with {@code serving}'s batching limits and
     * KV type, a KV pool just large enough for the warm-up sequences, no prefix caching.
     *
     * @throws IllegalStateException when a warm-up request fails or does not finish in five minutes
     */
    public static Report run(ModelRunner runner, EngineConfig serving) {
        int length = Math.min(PROMPT_TOKENS + OUTPUT_TOKENS, runner.contextLength());
        int prompt = Math.max(1, length - OUTPUT_TOKENS);
        int output = length - prompt;
        if (output < 1) {
            runner.close();
            return new Report(List.of(), 0);
        }
        // one extra block per sequence: a sequence's last block may be partly filled
        long bytes = (long) (SEQUENCES + 1) * (length + serving.blockSize()) * runner.kvBytesPerToken(serving.kvCacheType());
        EngineConfig config = serving.toBuilder()
                .maxModelLen(length)
                .kvCacheBytes(bytes)
                .maxNumSeqs(Math.max(SEQUENCES, serving.maxNumSeqs()))
                .prefixCaching(false)
                .build();
        SplittableRandom random = new SplittableRandom(42);
        List<Duration> rounds = new ArrayList<>();
        long generated = 0;
        try (Engine engine = Engine.start(runner, config)) {
            for (int round = 0; round < ROUNDS; round++) {
                long start = System.nanoTime();
                List<CompletableFuture<Usage>> together = new ArrayList<>();
                for (int i = 0; i < SEQUENCES; i++) {
                    together.add(submit(engine, round, i, randomPrompt(random, prompt, engine.vocabSize()), output));
                }
                for (CompletableFuture<Usage> f : together) {
                    generated += await(f).completionTokens();
                }
                generated += await(submit(engine, round, SEQUENCES, randomPrompt(random, prompt, engine.vocabSize()),
                        output)).completionTokens();
                rounds.add(Duration.ofNanos(System.nanoTime() - start));
            }
        }
        return new Report(rounds, generated);
    }

    private static CompletableFuture<Usage> submit(Engine engine, int round, int i, int[] prompt, int maxTokens) {
        SamplingParams sampling = i % 2 == 0 ? SamplingParams.greedy() : SamplingParams.random(1f, i);
        GenerationRequest.Builder b = GenerationRequest.builder("warmup-" + round + "-" + i, prompt)
                .sampling(sampling).maxTokens(maxTokens).ignoreEos(true);
        if (i == 1) {
            b.logprobs(2);
        }
        GenerationRequest request = b.build();
        CompletableFuture<Usage> done = new CompletableFuture<>();
        engine.submit(request, new GenerationListener() {
            @Override
            public void onToken(int token, String textDelta, TokenLogprobs logprobs) {
            }

            @Override
            public void onFinish(FinishReason reason, String finalText, Usage usage) {
                if (reason instanceof FinishReason.Error error) {
                    done.completeExceptionally(new IllegalStateException(error.message()));
                } else {
                    done.complete(usage);
                }
            }
        });
        return done;
    }

    private static Usage await(CompletableFuture<Usage> f) {
        try {
            return f.get(REQUEST_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("warm-up interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("warm-up request failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("warm-up request did not finish in " + REQUEST_LIMIT.toMinutes() + " minutes", e);
        }
    }

    private static int[] randomPrompt(SplittableRandom random, int length, int vocabSize) {
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = random.nextInt(vocabSize);
        }
        return tokens;
    }
}
