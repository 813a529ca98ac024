package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EngineTest {
    private static final int VOCAB = 50;
    private static final int CONTEXT = 256;

    private static EngineConfig.Builder config() {
        return EngineConfig.builder().kvCacheBytes(1 << 20).maxNumSeqs(16).maxBatchedTokens(64);
    }

    private static int[] reference(int[] prompt, int maxTokens) {
        int[] all = Arrays.copyOf(prompt, prompt.length + maxTokens);
        for (int i = 0; i < maxTokens; i++) {
            all[prompt.length + i] = HashChainRunner.next(all, prompt.length + i, VOCAB);
        }
        return Arrays.copyOfRange(all, prompt.length, all.length);
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

    @Test
    void singleRequestMatchesUncachedReference() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            int[] p = prompt(1, 37);
            Collector c = new Collector();
            engine.submit(request("a", p, 20), c);
            assertThat(c.await()).isEqualTo(new FinishReason.Length());
            assertThat(c.tokenArray()).containsExactly(reference(p, 20));
            assertThat(c.usage).isEqualTo(new Usage(37, 20, 0));
        }
    }

    @Test
    void sixteenConcurrentRequestsWithChunkedPrefillMatchTheirReferences() {
        HashChainRunner runner = new HashChainRunner(VOCAB, CONTEXT);
        try (Engine engine = Engine.start(runner, config().maxBatchedTokens(24).build())) {
            List<Collector> out = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int[] p = prompt(100 + i, 5 + 11 * i);
                prompts.add(p);
                Collector c = new Collector();
                out.add(c);
                engine.submit(request("r" + i, p, 30), c);
            }
            for (int i = 0; i < 16; i++) {
                assertThat(out.get(i).await()).isInstanceOf(FinishReason.Length.class);
                assertThat(out.get(i).tokenArray()).as("request %d", i).containsExactly(reference(prompts.get(i), 30));
            }
            assertThat(runner.maxEntries).isLessThanOrEqualTo(24);
            assertThat(engine.metrics().batchSize().count()).isPositive();
            assertThat(engine.metrics().generationTokens()).isEqualTo(16 * 30);
        }
    }

    @Test
    void aWideStepRunsAsModelCallsOfAtMostSixtyFourTokensWithTheSameOutput() {
        HashChainRunner runner = new HashChainRunner(VOCAB, CONTEXT);
        try (Engine engine = Engine.start(runner, config().maxBatchedTokens(256).build())) {
            int[] p = prompt(21, 200);
            Collector c = new Collector();
            engine.submit(request("wide", p, 5), c);
            c.await();
            assertThat(c.tokenArray()).containsExactly(reference(p, 5));
            assertThat(runner.maxEntries).isEqualTo(EngineLoop.HEARTBEAT_CHUNK);
        }
    }

    @Test
    void sharedPrefixIsServedFromTheCacheWithIdenticalOutput() throws Exception {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            int[] shared = prompt(7, 64);
            int[] a = Arrays.copyOf(shared, 70);
            a[64] = 21;
            a[65] = 22;
            Collector first = new Collector();
            engine.submit(request("first", a, 10), first);
            first.await();
            int[] b = Arrays.copyOf(shared, 69);
            b[64] = 30;
            Collector second = new Collector();
            engine.submit(request("second", b, 10), second);
            second.await();
            assertThat(second.tokenArray()).containsExactly(reference(b, 10));
            assertThat(second.usage.cachedPromptTokens()).isEqualTo(64);
            assertThat(engine.metrics().prefixCacheHits()).isEqualTo(64);
            assertThat(engine.metrics().prefixCacheQueries()).isEqualTo(70 + 69);
        }
    }

    @Test
    void tinyBudgetPreemptsAndRecomputesWithIdenticalOutput() {
        // 4 bytes x 2 x 4 = 32 bytes per token, blocks of 16 tokens: 512 bytes per block; 20 blocks = 320 tokens
        EngineConfig cfg = config().kvCacheBytes(20 * 512).maxModelLen(CONTEXT).maxBatchedTokens(256).build();
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), cfg)) {
            List<Collector> out = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int[] p = prompt(300 + i, 40 + i);
                prompts.add(p);
                Collector c = new Collector();
                out.add(c);
                engine.submit(request("r" + i, p, 60), c);
            }
            for (int i = 0; i < out.size(); i++) {
                assertThat(out.get(i).await()).isInstanceOf(FinishReason.Length.class);
                assertThat(out.get(i).tokenArray()).as("request %d", i).containsExactly(reference(prompts.get(i), 60));
            }
            assertThat(engine.metrics().preemptions()).isPositive();
            assertThat(engine.metrics().kvCacheUsage()).isZero();
        }
    }

    @Test
    void refusesToStartWhenTheBudgetCannotHoldOneFullLengthSequence() {
        HashChainRunner runner = new HashChainRunner(VOCAB, CONTEXT);
        assertThatThrownBy(() -> Engine.start(runner, config().kvCacheBytes(4096).build()))
                .isInstanceOf(EngineConfigurationException.class)
                .hasMessageContaining("max-model-len 256 needs 16 blocks")
                .hasMessageContaining("raise EngineConfig.kvCacheBudget to at least")
                .hasMessageContaining("lower EngineConfig.maxModelLen to at most 128");
        // a budget below one block: no "at most 0" advice, and the budget in bytes rather than "0.0 MiB"
        assertThatThrownBy(() -> Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().kvCacheBytes(100).build()))
                .isInstanceOf(EngineConfigurationException.class)
                .hasMessageContaining("budget of 100 B holds 0 blocks")
                .hasMessageNotContaining("lower EngineConfig.maxModelLen");
    }

    @Test
    void aFractionBudgetTakesNoMoreThanMaxNumSeqsFullLengthSequencesUse() {
        // HashChainRunner offers 1 GiB; all of it would be 16 full-length sequences many times over
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().kvCacheFraction(1.0).build())) {
            assertThat(engine.kvCacheLayout().blocks()).as("16 sequences x (256 / 16 + 1 slack) blocks")
                    .isEqualTo(16 * (CONTEXT / 16 + 1));
        }
        // below that cap the fraction itself decides: 1 GiB / 4096 = 256 KiB
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT),
                config().maxNumSeqs(64).kvCacheFraction(1.0 / 4096).build())) {
            assertThat(engine.kvCacheLayout().bytes()).isEqualTo(256 * 1024);
        }
    }

    @Test
    void refusesMaxModelLenBeyondTheModelsContext() {
        assertThatThrownBy(() -> Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().maxModelLen(1000).build()))
                .isInstanceOf(EngineConfigurationException.class)
                .hasMessageContaining("exceeds the model's context length 256");
    }

    @Test
    void cancellationFinishesTheRequestAndFreesItsBlocks() throws Exception {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            AtomicReference<RequestHandle> handle = new AtomicReference<>();
            CountDownLatch submitted = new CountDownLatch(1);
            Collector c = new Collector() {
                @Override
                public synchronized void onToken(int token, String textDelta, TokenLogprobs lp) {
                    super.onToken(token, textDelta, lp);
                    if (tokens.size() == 3) {
                        try {
                            submitted.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        handle.get().cancel();
                    }
                }
            };
            handle.set(engine.submit(request("long", prompt(5, 50), 200), c));
            submitted.countDown();
            assertThat(c.await()).isEqualTo(new FinishReason.Cancelled());
            assertThat(handle.get().isFinished()).isTrue();
            assertThat(c.tokens).hasSize(3);
            assertThat(engine.awaitIdle(Duration.ofSeconds(5))).isTrue();
            assertThat(engine.metrics().kvCacheUsage()).isZero();
            assertThat(engine.metrics().finishedByReason()).containsEntry("abort", 1L);
        }
    }

    @Test
    void aRequestWhoseForwardPassThrowsFailsAloneAndTheEngineGoesOn() {
        HashChainRunner runner = new HashChainRunner(VOCAB, CONTEXT);
        runner.poison = HashChainRunner.POISON;
        try (Engine engine = Engine.start(runner, config().build())) {
            int[] good = prompt(9, 20);
            int[] bad = prompt(10, 20);
            bad[HashChainRunner.POISON_POSITION] = HashChainRunner.POISON;
            Collector g = new Collector();
            Collector b = new Collector();
            engine.submit(request("good", good, 10), g);
            engine.submit(request("bad", bad, 10), b);
            assertThat(b.await()).isInstanceOf(FinishReason.Error.class);
            assertThat(((FinishReason.Error) b.await()).message()).contains("poisoned token");
            assertThat(g.await()).isInstanceOf(FinishReason.Length.class);
            assertThat(g.tokenArray()).containsExactly(reference(good, 10));
            Collector after = new Collector();
            engine.submit(request("after", good, 5), after);
            assertThat(after.await()).isInstanceOf(FinishReason.Length.class);
            assertThat(engine.isAlive()).isTrue();
        }
    }

    @Test
    void aListenerThatThrowsFailsOnlyItsRequest() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            Collector ok = new Collector();
            Collector thrower = new Collector() {
                @Override
                public synchronized void onToken(int token, String textDelta, TokenLogprobs lp) {
                    throw new IllegalStateException("client went away");
                }
            };
            engine.submit(request("thrower", prompt(1, 10), 10), thrower);
            engine.submit(request("ok", prompt(2, 10), 10), ok);
            assertThat(thrower.await()).isInstanceOf(FinishReason.Error.class);
            assertThat(ok.await()).isInstanceOf(FinishReason.Length.class);
            assertThat(ok.tokenArray()).containsExactly(reference(prompt(2, 10), 10));
        }
    }

    @Test
    void eosAndStopTokensEndTheGenerationWithoutStreamingThem() {
        int[] p = prompt(11, 12);
        int[] ref = reference(p, 10);
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT),
                config().eosTokenIds(Set.of(ref[3])).build())) {
            Collector c = new Collector();
            engine.submit(request("eos", p, 10), c);
            assertThat(c.await()).isEqualTo(new FinishReason.Stop(ref[3], null));
            int firstEos = 0;
            while (ref[firstEos] != ref[3]) {
                firstEos++;
            }
            assertThat(c.tokenArray()).containsExactly(Arrays.copyOf(ref, firstEos));
            assertThat(c.usage.completionTokens()).isEqualTo(firstEos + 1);

            Collector ignoring = new Collector();
            engine.submit(GenerationRequest.builder("ignore", p).maxTokens(10).ignoreEos(true).build(), ignoring);
            assertThat(ignoring.await()).isEqualTo(new FinishReason.Length());
            assertThat(ignoring.tokenArray()).containsExactly(ref);
        }
    }

    @Test
    void stopStringsEndTheTextBeforeTheMatchAcrossTokens() {
        Detokenizer letters = () -> token -> String.valueOf((char) ('a' + token % 26));
        int[] p = prompt(12, 12);
        int[] ref = reference(p, 12);
        StringBuilder full = new StringBuilder();
        for (int t : ref) {
            full.append((char) ('a' + t % 26));
        }
        String stop = full.substring(5, 8);
        int at = full.indexOf(stop);
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT),
                config().detokenizer(letters).build())) {
            Collector c = new Collector();
            engine.submit(GenerationRequest.builder("s", p).maxTokens(12).stopStrings(List.of(stop, "zzzzzz")).build(),
                    c);
            assertThat(c.await()).isEqualTo(new FinishReason.Stop(ref[at + 2], stop));
            assertThat(c.text.toString()).isEqualTo(full.substring(0, at));
            Collector plain = new Collector();
            engine.submit(GenerationRequest.builder("p", p).maxTokens(12).build(), plain);
            plain.await();
            assertThat(plain.text.toString()).isEqualTo(full.toString());
        }
    }

    @Test
    void logprobsReportTheChosenTokenAndTheMostLikelyAlternatives() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            Collector c = new Collector();
            int[] p = prompt(13, 8);
            engine.submit(GenerationRequest.builder("lp", p).maxTokens(3).logprobs(3).build(), c);
            c.await();
            assertThat(c.logprobs).hasSize(3);
            TokenLogprobs first = c.logprobs.getFirst();
            assertThat(first.token()).isEqualTo(c.tokens.getFirst());
            assertThat(first.top()).hasSize(3);
            assertThat(first.top().getFirst().token()).isEqualTo(first.token());
            assertThat(first.logprob()).isNegative().isEqualTo(first.top().getFirst().logprob());
            assertThat(first.top().get(1).logprob()).isLessThanOrEqualTo(first.top().getFirst().logprob());
        }
    }

    @Test
    void fullWaitingQueueRejectsWithRetryAfter() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT),
                config().maxWaitingRequests(2).build())) {
            try (Engine.Freeze freeze = engine.freezeLoopForTesting()) {
                engine.submit(request("a", prompt(1, 10), 5), new Collector());
                engine.submit(request("b", prompt(2, 10), 5), new Collector());
                assertThatThrownBy(() -> engine.submit(request("c", prompt(3, 10), 5), new Collector()))
                        .isInstanceOfSatisfying(EngineOverloadedException.class, e -> {
                            // nothing has finished yet, so there is no drain rate: the documented fallback
                            // (EngineAccountingTest covers the rate-based answer)
                            assertThat(e.drainRatePerSecond()).isZero();
                            assertThat(e.retryAfterSeconds()).isEqualTo(10L);
                        })
                        .hasMessageContaining("waiting queue is full");
                assertThat(engine.metrics().rejectedRequests()).isEqualTo(1);
            }
        }
    }

    @Test
    void rejectsPromptsThatLeaveNoRoomOrHoldUnknownTokens() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            assertThatThrownBy(() -> engine.submit(request("long", prompt(1, CONTEXT), 5), new Collector()))
                    .isInstanceOfSatisfying(InvalidRequestException.class,
                            e -> assertThat(e.parameter()).isEqualTo("promptTokens"))
                    .hasMessageContaining("max-model-len is 256");
            assertThatThrownBy(() -> engine.submit(request("oov", new int[] {1, VOCAB}, 5), new Collector()))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("outside the vocabulary");
        }
    }

    @Test
    void generationStopsAtMaxModelLen() {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, 64), config().build())) {
            Collector c = new Collector();
            engine.submit(request("edge", prompt(1, 60), 100), c);
            assertThat(c.await()).isEqualTo(new FinishReason.Length());
            assertThat(c.tokens).hasSize(4);
        }
    }

    @Test
    void frozenLoopStopsTheHeartbeatUntilReleased() throws Exception {
        try (Engine engine = Engine.start(new HashChainRunner(VOCAB, CONTEXT), config().build())) {
            Engine.Freeze freeze = engine.freezeLoopForTesting();
            Thread.sleep(3 * Engine.IDLE_TICK.toMillis());
            long frozenAt = engine.lastHeartbeatNanos();
            Thread.sleep(3 * Engine.IDLE_TICK.toMillis());
            assertThat(engine.lastHeartbeatNanos()).isEqualTo(frozenAt);
            freeze.close();
            Thread.sleep(3 * Engine.IDLE_TICK.toMillis());
            assertThat(engine.lastHeartbeatNanos()).isGreaterThan(frozenAt);
            assertThat(engine.isAlive()).isTrue();
        }
    }

    @Test
    void closeCancelsPendingRequestsAndRefusesNewOnes() {
        HashChainRunner runner = new HashChainRunner(VOCAB, CONTEXT);
        Engine engine = Engine.start(runner, config().build());
        Engine.Freeze freeze = engine.freezeLoopForTesting();
        Collector pending = new Collector();
        engine.submit(request("p", prompt(1, 10), 5), pending);
        engine.close();
        freeze.close();
        assertThat(pending.await()).isEqualTo(new FinishReason.Cancelled());
        assertThat(runner.closed).isTrue();
        assertThat(engine.isAlive()).isFalse();
        assertThatThrownBy(() -> engine.submit(request("late", prompt(1, 10), 5), new Collector()))
                .isInstanceOf(EngineClosedException.class);
    }
}
