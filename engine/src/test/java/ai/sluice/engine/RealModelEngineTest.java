package ai.sluice.engine;

import ai.sluice.core.tensor.KvType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine on the real stories260K model against llama.cpp's greedy outputs. */
class RealModelEngineTest {
    private static Stories260K stories;
    private static List<Stories260K.Case> cases;

    @BeforeAll
    static void load() {
        stories = Stories260K.open();
        cases = Stories260K.oracle();
    }

    @AfterAll
    static void close() {
        stories.close();
    }

    private static EngineConfig.Builder config() {
        return EngineConfig.builder()
                .kvCacheBytes(16L << 20)
                .maxNumSeqs(16)
                .maxBatchedTokens(256)
                .detokenizer(Detokenizer.of(stories.tokenizer))
                .eosTokenIds(Set.of(stories.tokenizer.vocabulary().eosId()));
    }

    private static GenerationRequest greedy(String id, int[] prompt, int maxTokens) {
        return GenerationRequest.builder(id, prompt).maxTokens(maxTokens).ignoreEos(true).build();
    }

    /** Fillers for a batch: other prompts of various lengths, made of the oracle prompts' tokens. */
    private static int[] filler(int i) {
        int[] base = cases.get(i % cases.size()).tokens();
        int n = 3 + 7 * i;
        int[] p = new int[n];
        p[0] = 1;
        for (int k = 1; k < n; k++) {
            p[k] = base[k % base.length] == 1 ? 300 + k : base[k % base.length];
        }
        return p;
    }

    @Test
    void greedyOutputMatchesLlamaCppAloneAndItsTextToo() {
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config().prefixCaching(false).build())) {
            for (Stories260K.Case c : cases) {
                Collector out = new Collector();
                engine.submit(greedy(c.prompt(), c.tokens(), 32), out);
                assertThat(out.await()).isEqualTo(new FinishReason.Length());
                assertThat(out.tokenArray()).as(c.prompt()).containsExactly(c.generated());
                assertThat(out.text.toString()).as(c.prompt()).isEqualTo(c.generatedText());
            }
        }
    }

    @Test
    void logitBiasBansAndForcesTokensAndIsChecked() {
        Stories260K.Case c = cases.get(0);
        int first = c.generated()[0];
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config().prefixCaching(false).build())) {
            Collector banned = new Collector();
            engine.submit(GenerationRequest.builder("ban", c.tokens()).maxTokens(8).ignoreEos(true)
                    .logitBias(Map.of(first, -100f)).build(), banned);
            banned.await();
            assertThat(banned.tokenArray()).doesNotContain(first);
            Collector forced = new Collector();
            engine.submit(GenerationRequest.builder("force", c.tokens()).maxTokens(8).ignoreEos(true).logprobs(0)
                    .logitBias(Map.of(300, 100f)).build(), forced);
            forced.await();
            assertThat(forced.tokenArray()).containsOnly(300).hasSize(8);
            assertThatThrownBy(() -> engine.submit(GenerationRequest.builder("bad", c.tokens())
                    .logitBias(Map.of(stories.tokenizer.vocabulary().size(), 1f)).build(), new Collector()))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("outside the vocabulary");
        }
        assertThatThrownBy(() -> GenerationRequest.builder("bad", c.tokens())
                .logitBias(Map.of(5, 101f)).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("[-100.0, 100.0]");
    }

    @Test
    void greedyOutputIsTheSameInABatchOfSixteen() {
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config().prefixCaching(false).build())) {
            List<Collector> outs = submitBatch(engine);
            for (int i = 0; i < cases.size(); i++) {
                assertThat(outs.get(i).await()).isEqualTo(new FinishReason.Length());
                assertThat(outs.get(i).tokenArray()).as(cases.get(i).prompt()).containsExactly(cases.get(i).generated());
            }
            assertThat(engine.metrics().batchSize().sum() / engine.metrics().batchSize().count()).isGreaterThan(4);
        }
    }

    private static List<Collector> submitBatch(Engine engine) {
        List<Collector> outs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Collector c = new Collector();
            outs.add(c);
            int[] prompt = i < cases.size() ? cases.get(i).tokens() : filler(i);
            engine.submit(greedy("r" + i, prompt, 32), c);
        }
        for (Collector c : outs) {
            c.await();
        }
        return outs;
    }

    /** Whole 16-token blocks that case {@code i}'s prefix-cache prompt shares with another case's. */
    private int sharedFullBlocks(int i) {
        int[] mine = cachePrompt(cases.get(i));
        int best = 0;
        for (int j = 0; j < cases.size(); j++) {
            if (j != i) {
                int[] other = cachePrompt(cases.get(j));
                int n = 0;
                while (n < Math.min(mine.length, other.length) && mine[n] == other[n]) {
                    n++;
                }
                best = Math.max(best, Math.min(n, Math.min(mine.length, other.length) - 1) / 16);
            }
        }
        return best;
    }

    private static int[] cachePrompt(Stories260K.Case c) {
        int[] prompt = java.util.Arrays.copyOf(c.tokens(), c.tokens().length + 24);
        System.arraycopy(c.generated(), 0, prompt, c.tokens().length, 24);
        return prompt;
    }

    @Test
    void greedyOutputIsTheSameWithAPrefixCacheHit() {
        // Prompt = oracle prompt + its first 24 generated tokens: the greedy continuation is the
        // oracle's last 8 tokens, computed once from scratch and once on top of cached blocks.
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config().prefixCaching(true).build())) {
            for (int round = 0; round < 2; round++) {
                List<Collector> outs = new ArrayList<>();
                for (Stories260K.Case c : cases) {
                    int[] prompt = java.util.Arrays.copyOf(c.tokens(), c.tokens().length + 24);
                    System.arraycopy(c.generated(), 0, prompt, c.tokens().length, 24);
                    Collector out = new Collector();
                    outs.add(out);
                    engine.submit(greedy(c.prompt(), prompt, 8), out);
                }
                for (int i = 0; i < cases.size(); i++) {
                    Stories260K.Case c = cases.get(i);
                    assertThat(outs.get(i).await()).isEqualTo(new FinishReason.Length());
                    assertThat(outs.get(i).tokenArray()).as("round %d, %s", round, c.prompt())
                            .containsExactly(java.util.Arrays.copyOfRange(c.generated(), 24, 32));
                    int fullBlocks = (c.tokens().length + 24 - 1) / 16;
                    int cached = outs.get(i).usage.cachedPromptTokens();
                    if (round == 0) {
                        // cold cache: a hit is possible only on whole blocks another case of this round
                        // shares (cases that start alike), and then only if that case prefilled first
                        assertThat(cached).as("round 0, %s", c.prompt()).isLessThanOrEqualTo(sharedFullBlocks(i) * 16);
                    } else {
                        assertThat(cached).as("round 1, %s", c.prompt()).isEqualTo(fullBlocks * 16);
                    }
                }
            }
            assertThat(engine.metrics().prefixCacheHits()).isPositive();
        }
    }

    @Test
    void aTinyKvBudgetPreemptsButEveryOutputStaysTheSame() {
        // one sequence of 64 tokens fits, barely: everyone else waits or is preempted and recomputed
        long perToken = new LlamaRunner(stories.model).kvBytesPerToken(KvType.F32);
        EngineConfig cfg = config().maxModelLen(64).kvCacheBytes(perToken * 16 * 6).build();
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), cfg)) {
            List<Collector> outs = new ArrayList<>();
            for (Stories260K.Case c : cases) {
                Collector out = new Collector();
                outs.add(out);
                engine.submit(greedy(c.prompt(), c.tokens(), 32), out);
            }
            for (int i = 0; i < cases.size(); i++) {
                Stories260K.Case c = cases.get(i);
                assertThat(outs.get(i).await()).isInstanceOf(FinishReason.Length.class);
                int n = outs.get(i).tokens.size();
                assertThat(n).isEqualTo(Math.min(32, 64 - c.tokens().length));
                assertThat(outs.get(i).tokenArray()).as(c.prompt())
                        .containsExactly(java.util.Arrays.copyOf(c.generated(), n));
            }
            assertThat(engine.metrics().preemptions()).isPositive();
        }
    }

    /**
     * The scenario scaled down (bench-batch --overload runs it at 200 x (512 + 256)): 48
     * requests of 96 + 48 tokens against a KV budget of 4 such sequences, at the default block size
     * and another, since the budget is whole blocks and preemption frees whole blocks.
     */
    @ParameterizedTest
    @ValueSource(ints = {EngineConfig.DEFAULT_BLOCK_SIZE, 8})
    void overloadFinishesEveryRequestCorrectlyWithinASmallBudget(int blockSize) {
        int promptLength = 96;
        int output = 48;
        int distinct = 4;
        int[][] prompts = new int[distinct][];
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < distinct; i++) {
            prompts[i] = random.ints(promptLength, 3, stories.model.vocabSize()).toArray();
            prompts[i][0] = 1;
        }
        int[][] reference = new int[distinct][];
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config().build())) {
            for (int i = 0; i < distinct; i++) {
                Collector out = new Collector();
                engine.submit(greedy("ref" + i, prompts[i], output), out);
                out.await();
                reference[i] = out.tokenArray();
            }
        }
        long perToken = new LlamaRunner(stories.model).kvBytesPerToken(KvType.F32);
        int length = promptLength + output;
        EngineConfig tight = config().blockSize(blockSize).maxModelLen(length).maxNumSeqs(32).prefixCaching(false)
                .kvCacheBytes(KvCacheLayout.bytesForSequences(4, length, blockSize, perToken)).build();
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), tight)) {
            List<Collector> outs = new ArrayList<>();
            // All 48 wait before the first step, so admission (and with it preemption) does not depend on
            // how fast this thread submits compared with the engine's steps.
            try (Engine.Freeze frozen = engine.freezeLoopForTesting()) {
                for (int i = 0; i < 48; i++) {
                    Collector out = new Collector();
                    outs.add(out);
                    engine.submit(greedy("o" + i, prompts[i % distinct], output), out);
                }
            }
            for (int i = 0; i < outs.size(); i++) {
                assertThat(outs.get(i).await()).isEqualTo(new FinishReason.Length());
                assertThat(outs.get(i).tokenArray()).as("request %d", i).containsExactly(reference[i % distinct]);
            }
            assertThat(engine.metrics().preemptions()).isPositive();
            assertThat(engine.metrics().finishedByReason()).containsEntry("length", 48L);
            assertThat(engine.metrics().kvCacheUsage()).isZero();
        }
    }
}
