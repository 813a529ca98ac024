package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.sampling.SamplingParams;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Handles, gauges, waiting for idle and closing with work in flight; the small value types. */
class EngineLifecycleTest {
    private static final int VOCAB = 50;
    private static final int CONTEXT = 256;

    private static EngineConfig.Builder config() {
        return EngineConfig.builder().kvCacheBytes(1 << 20).maxNumSeqs(16).maxBatchedTokens(64);
    }

    private static GenerationRequest request(String id, int length, int maxTokens) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = 20 + (i * 7) % 30;
        }
        return GenerationRequest.builder(id, p).maxTokens(maxTokens).build();
    }

    @Test
    void theEngineReportsItsLayoutAndConfig() {
        EngineConfig config = config().build();
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config)) {
            assertThat(engine.config()).isEqualTo(config);
            assertThat(engine.maxModelLen()).isEqualTo(CONTEXT);
            assertThat(engine.vocabSize()).isEqualTo(VOCAB);
            assertThat(engine.kvCacheLayout().bytes()).isEqualTo(1 << 20);
            assertThat(engine.kvCacheLayout().blockSize()).isEqualTo(16);
        }
    }

    @Test
    void handlesNameTheirRequestAndKnowWhenItIsDone() throws Exception {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            Collector c = new Collector();
            RequestHandle h;
            try (Engine.Freeze freeze = engine.freezeLoopForTesting()) {
                h = engine.submit(request("named", 5, 3), c);
                assertThat(h.requestId()).isEqualTo("named");
                assertThat(h.isFinished()).isFalse();
                // frozen: the engine cannot become idle
                assertThat(engine.awaitIdle(Duration.ofMillis(100))).isFalse();
            }
            c.await();
            assertThat(h.isFinished()).isTrue();
            assertThat(engine.awaitIdle(Duration.ofSeconds(5))).isTrue();
            h.cancel(); // after the end: nothing happens
            assertThat(engine.metrics().finishedByReason()).containsEntry("length", 1L).containsEntry("abort", 0L);
        }
    }

    @Test
    void gaugesCountRunningAndWaitingRequestsWhileTheyRun() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().maxNumSeqs(1).build())) {
            AtomicInteger running = new AtomicInteger(-1);
            AtomicInteger waiting = new AtomicInteger(-1);
            Collector first = new Collector() {
                @Override
                public synchronized void onToken(int token, String textDelta, TokenLogprobs lp) {
                    super.onToken(token, textDelta, lp);
                    if (tokens.size() == 3) {
                        running.set(engine.metrics().runningRequests());
                        waiting.set(engine.metrics().waitingRequests());
                    }
                }
            };
            Collector second = new Collector();
            try (Engine.Freeze freeze = engine.freezeLoopForTesting()) {
                engine.submit(request("first", 5, 6), first);
                engine.submit(request("second", 5, 6), second);
            }
            first.await();
            second.await();
            assertThat(running.get()).isEqualTo(1);
            assertThat(waiting.get()).isEqualTo(1);
            assertThat(engine.metrics().kvCacheUsage()).isZero();
        }
    }

    @Test
    void closingWithWorkInFlightCancelsItAndReleasesEverything() throws Exception {
        Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build());
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        Collector slow = new Collector() {
            @Override
            public void onToken(int token, String textDelta, TokenLogprobs lp) {
                super.onToken(token, textDelta, lp);
                started.countDown();
                try {
                    // hold the engine thread inside its first step until close() has begun
                    resume.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        engine.submit(request("long", 5, 200), slow);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = Thread.ofPlatform().start(engine::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        resume.countDown();
        closer.join(10_000);
        engine.close(); // idempotent
        assertThat(slow.await()).isEqualTo(new FinishReason.Cancelled());
        assertThat(slow.tokens).hasSize(1);
        assertThat(engine.metrics().runningRequests()).isZero();
        assertThat(engine.metrics().waitingRequests()).isZero();
        assertThat(engine.metrics().kvCacheUsage()).isZero();
        assertThat(engine.isAlive()).isFalse();
    }

    @Test
    void penaltiesLookAtTheLastSixtyFourTokensOnly() {
        // token 0 leads by 1.0; a presence penalty of 2 moves it behind token 1 while it is in the window
        TokenPicker picker = new TokenPicker(SamplingParams.greedy().withPresencePenalty(2f), Map.of(), 4);
        int[] tokens = new int[100];
        java.util.Arrays.fill(tokens, 3);
        tokens[99 - 63] = 0; // inside the last 64 of 100
        assertThat(picker.pick(new float[] {3f, 2f, 0f, -5f}, tokens, 100)).isEqualTo(1);
        tokens[99 - 63] = 3;
        tokens[99 - 64] = 0; // just outside
        assertThat(picker.pick(new float[] {3f, 2f, 0f, -5f}, tokens, 100)).isZero();
        // a short history is used whole
        assertThat(picker.pick(new float[] {3f, 2f, 0f, -5f}, new int[] {0, 3}, 2)).isEqualTo(1);
        // without penalties the history is ignored; the bias is added in place to the caller's copy
        TokenPicker biased = new TokenPicker(SamplingParams.greedy(), Map.of(2, 10f), 4);
        float[] row = {3f, 2f, 0f, -5f};
        assertThat(biased.pick(row, new int[] {2}, 1)).isEqualTo(2);
        assertThat(row[2]).isEqualTo(10f);
    }

    @Test
    void valueTypesSayWhatTheyHold() {
        assertThat(new Usage(3, 4, 2).totalTokens()).isEqualTo(7);
        assertThat(new FinishReason.Stop(1, null).label()).isEqualTo("stop");
        assertThat(new FinishReason.Length().label()).isEqualTo("length");
        assertThat(new FinishReason.Cancelled().label()).isEqualTo("abort");
        assertThat(new FinishReason.Error("x").label()).isEqualTo("error");
        int[] prompt = {1, 2};
        GenerationRequest r = GenerationRequest.builder("r", prompt).build();
        prompt[0] = 9;
        assertThat(r.promptTokens()).containsExactly(1, 2);
        r.promptTokens()[1] = 9;
        assertThat(r.promptTokens()).containsExactly(1, 2);
        assertThat(r.promptLength()).isEqualTo(2);
        assertThat(GenerationRequest.builder("t", prompt).logprobs(GenerationRequest.MAX_TOP_LOGPROBS).build().topLogprobs())
                .isEqualTo(20);
    }
}
