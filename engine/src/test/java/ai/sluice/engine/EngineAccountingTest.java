package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.sampling.SamplingParams;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the engine counts and refuses: back-pressure, Retry-After, latency histograms, blocks of failed requests, logit bias. */
class EngineAccountingTest {
    private static final int VOCAB = 50;
    private static final int CONTEXT = 256;

    private static EngineConfig.Builder config() {
        return EngineConfig.builder().kvCacheBytes(1 << 20).maxNumSeqs(16).maxBatchedTokens(64);
    }

    private static int[] prompt(long seed, int length) {
        Random r = new Random(seed);
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = 20 + r.nextInt(VOCAB - 20);
        }
        return p;
    }

    private static GenerationRequest request(String id, int[] prompt, int maxTokens) {
        return GenerationRequest.builder(id, prompt).maxTokens(maxTokens).build();
    }

    private static int[] reference(int[] prompt, int maxTokens) {
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + maxTokens);
        for (int i = 0; i < maxTokens; i++) {
            all[prompt.length + i] = HashChainRunner.next(all, prompt.length + i, VOCAB);
        }
        return java.util.Arrays.copyOfRange(all, prompt.length, all.length);
    }

    @Test
    void waitingPromptTokensAreBoundedExactlyAndFreedOnAdmission() throws Exception {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().maxWaitingTokens(25).build())) {
            Collector a = new Collector();
            Collector b = new Collector();
            try (Engine.Freeze freeze = engine.freezeLoopForTesting()) {
                engine.submit(request("a", prompt(1, 10), 3), a);
                engine.submit(request("b", prompt(2, 15), 3), b);
                // 25 tokens wait: one more token is over the bound, by requests it would fit
                assertThatThrownBy(() -> engine.submit(request("c", prompt(3, 1), 3), new Collector()))
                        .isInstanceOf(EngineOverloadedException.class)
                        .hasMessageContaining("2 requests, 25 prompt tokens");
                assertThat(engine.metrics().rejectedRequests()).isEqualTo(1);
            }
            a.await();
            b.await();
            assertThat(engine.awaitIdle(Duration.ofSeconds(5))).isTrue();
            // admitted and finished: their tokens no longer count
            Collector c = new Collector();
            engine.submit(request("c", prompt(3, 25), 3), c);
            assertThat(c.await()).isEqualTo(new FinishReason.Length());
        }
    }

    @Test
    void aCancelledQueuedRequestGivesBackItsPlaceInTheQueue() throws Exception {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT),
                config().maxWaitingRequests(1).maxWaitingTokens(10).build())) {
            Collector first = new Collector();
            try (Engine.Freeze freeze = engine.freezeLoopForTesting()) {
                RequestHandle h = engine.submit(request("first", prompt(1, 10), 3), first);
                h.cancel();
                h.cancel(); // idempotent
            }
            assertThat(first.await()).isEqualTo(new FinishReason.Cancelled());
            assertThat(engine.awaitIdle(Duration.ofSeconds(5))).isTrue();
            Collector second = new Collector();
            engine.submit(request("second", prompt(2, 10), 3), second);
            assertThat(second.await()).isEqualTo(new FinishReason.Length());
            assertThat(engine.metrics().finishedByReason()).containsEntry("abort", 1L).containsEntry("length", 1L);
        }
    }

    @Test
    void retryAfterIsTheQueueOverTheDrainRateClampedToOneMinute() {
        assertThat(EngineLoop.retryAfterSeconds(5, 0)).isEqualTo(10);
        assertThat(EngineLoop.retryAfterSeconds(5, -1)).isEqualTo(10);
        assertThat(EngineLoop.retryAfterSeconds(2, 0.5)).isEqualTo(6);
        assertThat(EngineLoop.retryAfterSeconds(3, 2)).isEqualTo(2);
        assertThat(EngineLoop.retryAfterSeconds(4, 2)).isEqualTo(3);
        assertThat(EngineLoop.retryAfterSeconds(0, 1000)).isEqualTo(1);
        assertThat(EngineLoop.retryAfterSeconds(59, 1)).isEqualTo(60);
        assertThat(EngineLoop.retryAfterSeconds(1000, 1)).isEqualTo(60);
    }

    @Test
    void aFullQueueAfterSomeTrafficAnswersFromTheDrainRate() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().maxWaitingRequests(2).build())) {
            for (int i = 0; i < 4; i++) {
                Collector c = new Collector();
                engine.submit(request("warm" + i, prompt(i, 5), 2), c);
                c.await();
            }
            try (Engine.Freeze freeze = engine.freezeLoopForTesting()) {
                engine.submit(request("a", prompt(1, 10), 5), new Collector());
                engine.submit(request("b", prompt(2, 10), 5), new Collector());
                assertThatThrownBy(() -> engine.submit(request("c", prompt(3, 10), 5), new Collector()))
                        .isInstanceOfSatisfying(EngineOverloadedException.class, e -> {
                            assertThat(e.drainRatePerSecond()).isPositive();
                            assertThat(e.retryAfterSeconds())
                                    .isEqualTo(EngineLoop.retryAfterSeconds(2, e.drainRatePerSecond()))
                                    .isLessThan(10);
                        });
            }
        }
    }

    @Test
    void everyLatencyHistogramSeesItsObservations() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            Collector c = new Collector();
            engine.submit(request("one", prompt(1, 12), 5), c);
            c.await();
            Collector d = new Collector();
            engine.submit(request("two", prompt(2, 7), 3), d);
            d.await();
            EngineMetrics m = engine.metrics();
            assertThat(m.timeToFirstToken().count()).isEqualTo(2);
            assertThat(m.interTokenLatency().count()).as("tokens after the first").isEqualTo(4 + 2);
            assertThat(m.e2eRequestLatency().count()).isEqualTo(2);
            assertThat(m.requestQueueTime().count()).isEqualTo(2);
            // the step histograms are written after the step's last onFinish: wait for the last step
            awaitAtLeast(() -> m.stepTime().count(), 5 + 3);
            awaitAtLeast(() -> m.batchSize().count(), 5 + 3);
            assertThat(m.batchSize().sum()).isEqualTo(m.batchSize().count());
            assertThat(m.timeToFirstToken().sum()).isPositive().isLessThanOrEqualTo(m.e2eRequestLatency().sum());
            assertThat(m.interTokenLatency().sum()).isPositive().isLessThan(m.e2eRequestLatency().sum());
            assertThat(m.requestQueueTime().sum()).isLessThanOrEqualTo(m.timeToFirstToken().sum());
            assertThat(m.stepTime().sum()).isPositive();
            assertThat(m.promptTokens()).isEqualTo(12 + 7);
            assertThat(m.generationTokens()).isEqualTo(5 + 3);
            assertThat(m.finishedByReason()).isEqualTo(Map.of("stop", 0L, "length", 2L, "abort", 0L, "error", 0L));
            assertThat(m.waitingRequests()).isZero();
            assertThat(m.runningRequests()).isZero();
        }
    }

    @Test
    void aFailedRequestGivesBackItsBlocksAndIsCountedAsAnError() throws Exception {
        HashChainRunner runner = new HashChainRunner(VOCAB, CONTEXT);
        runner.poison = HashChainRunner.POISON;
        try (Engine engine = Engine.start(runner, config().build())) {
            int[] bad = prompt(10, 20);
            bad[HashChainRunner.POISON_POSITION] = HashChainRunner.POISON;
            Collector b = new Collector();
            engine.submit(request("bad", bad, 10), b);
            assertThat(b.await()).isInstanceOf(FinishReason.Error.class);
            assertThat(engine.awaitIdle(Duration.ofSeconds(5))).isTrue();
            // the gauges are published before onFinish runs
            assertThat(engine.metrics().kvCacheUsage()).isZero();
            assertThat(engine.metrics().runningRequests()).isZero();
            assertThat(engine.metrics().finishedByReason()).containsEntry("error", 1L);
            assertThat(b.usage.completionTokens()).isZero();
        }
    }

    @Test
    void aListenerFailingInOnFinishDoesNotStopTheEngine() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            engine.submit(request("x", prompt(1, 5), 2), new Collector() {
                @Override
                public synchronized void onFinish(FinishReason reason, String finalText, Usage u) {
                    throw new IllegalStateException("listener broke");
                }
            });
            Collector after = new Collector();
            engine.submit(request("after", prompt(2, 5), 2), after);
            assertThat(after.await()).isEqualTo(new FinishReason.Length());
            assertThat(engine.isAlive()).isTrue();
        }
    }

    @Test
    void logitBiasBansWithMinusOneHundredAndForcesWithPlusOneHundredAtBothEndsOfTheVocabulary() {
        int[] p = prompt(4, 9);
        int[] ref = reference(p, 1);
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            Collector banned = new Collector();
            engine.submit(GenerationRequest.builder("ban", p).maxTokens(1).logitBias(Map.of(ref[0], -100f)).build(),
                    banned);
            banned.await();
            // the fake model's other logits are sin(id): the largest below the banned 5.0 wins
            int expected = -1;
            for (int i = 0; i < VOCAB; i++) {
                if (i != ref[0] && (expected < 0 || Math.sin(i) > Math.sin(expected))) {
                    expected = i;
                }
            }
            assertThat(banned.tokens).containsExactly(expected);
            for (int forced : new int[] {0, VOCAB - 1}) {
                Collector c = new Collector();
                engine.submit(GenerationRequest.builder("force" + forced, p).maxTokens(3)
                        .logitBias(Map.of(forced, 100f)).build(), c);
                c.await();
                assertThat(c.tokens).containsExactly(forced, forced, forced);
            }
            assertThatThrownBy(() -> engine.submit(GenerationRequest.builder("oov", p)
                    .logitBias(Map.of(VOCAB, 1f)).build(), new Collector()))
                    .isInstanceOfSatisfying(InvalidRequestException.class,
                            e -> assertThat(e.parameter()).isEqualTo("logitBias"))
                    .hasMessageContaining("token id " + VOCAB + " is outside the vocabulary of " + VOCAB);
            assertThatThrownBy(() -> engine.submit(GenerationRequest.builder("neg", p)
                    .logitBias(Map.of(-1, 1f)).build(), new Collector()))
                    .isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void logitBiasValuesOutsideTheOpenAiRangeAreRefused() {
        int[] p = {1, 2};
        GenerationRequest.builder("ok", p).logitBias(Map.of(0, -100f, 1, 100f)).build();
        for (float bad : new float[] {-100.5f, 100.5f, Float.NaN}) {
            assertThatThrownBy(() -> GenerationRequest.builder("bad", p).logitBias(Map.of(3, bad)).build())
                    .isInstanceOfSatisfying(InvalidRequestException.class,
                            e -> assertThat(e.parameter()).isEqualTo("logitBias"))
                    .hasMessageContaining("token 3");
        }
    }

    @Test
    void promptTokensAtTheVocabularyEdgesAreCheckedExactly() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            Collector ok = new Collector();
            engine.submit(request("edges", new int[] {0, VOCAB - 1}, 1), ok);
            assertThat(ok.await()).isEqualTo(new FinishReason.Length());
            assertThatThrownBy(() -> engine.submit(request("neg", new int[] {-1}, 1), new Collector()))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("prompt token id -1");
            // max-model-len - 1 tokens leave room for one: accepted
            Collector edge = new Collector();
            engine.submit(request("room", prompt(5, CONTEXT - 1), 10), edge);
            assertThat(edge.await()).isEqualTo(new FinishReason.Length());
            assertThat(edge.tokens).hasSize(1);
        }
    }

    @Test
    void seededSamplingReachesTheSamplerAndTheSeedDecides() {
        int[] p = prompt(6, 10);
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            int[] a = generate(engine, p, 40L);
            int[] b = generate(engine, p, 40L);
            int[] c = generate(engine, p, 41L);
            assertThat(a).containsExactly(b);
            assertThat(a).isNotEqualTo(c);
            // at temperature 5 the fake model's peak (5.0 vs sin) no longer dominates: not greedy
            assertThat(a).isNotEqualTo(reference(p, 20));
        }
    }

    private static void awaitAtLeast(java.util.function.LongSupplier value, long atLeast) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (value.getAsLong() < atLeast && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(value.getAsLong()).isGreaterThanOrEqualTo(atLeast);
    }

    private static int[] generate(Engine engine, int[] p, long seed) {
        Collector c = new Collector();
        engine.submit(GenerationRequest.builder("s" + seed, p).maxTokens(20)
                .sampling(SamplingParams.random(5f, seed)).build(), c);
        c.await();
        return c.tokenArray();
    }
}
