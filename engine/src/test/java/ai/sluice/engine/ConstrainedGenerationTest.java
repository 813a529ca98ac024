package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The engine's {@link TokenConstraint} hook on the real stories260K model. */
class ConstrainedGenerationTest {
    private static Stories260K stories;
    private static int eos;

    @BeforeAll
    static void load() {
        stories = Stories260K.open();
        eos = stories.tokenizer.vocabulary().eosId();
    }

    @AfterAll
    static void close() {
        stories.close();
    }

    /**
     * A toy language: {@code length} tokens alternating between ids 300..339 (even positions) and
     * 400..439 (odd ones), then the end. Far from what the model would pick on its own.
     */
    record Alternating(int length) implements TokenConstraint {
        @Override
        public State start() {
            return new State() {
                int n;

                @Override
                public void allowed(long[] bits) {
                    Arrays.fill(bits, 0);
                    if (n < length) {
                        int from = n % 2 == 0 ? 300 : 400;
                        for (int t = from; t < from + 40; t++) {
                            bits[t >>> 6] |= 1L << t;
                        }
                    }
                }

                @Override
                public boolean complete() {
                    return n == length;
                }

                @Override
                public void accept(int token) {
                    int from = n % 2 == 0 ? 300 : 400;
                    if (token < from || token >= from + 40) {
                        throw new AssertionError("token " + token + " was not allowed at " + n);
                    }
                    n++;
                }
            };
        }
    }

    private static EngineConfig.Builder config() {
        return EngineConfig.builder().kvCacheBytes(16L << 20).maxNumSeqs(16).maxBatchedTokens(256)
                .detokenizer(Detokenizer.of(stories.tokenizer)).eosTokenIds(Set.of(eos));
    }

    private static GenerationRequest request(String id, long seed, TokenConstraint c) {
        return builder(id, seed, c).build();
    }

    private static GenerationRequest.Builder builder(String id, long seed, TokenConstraint c) {
        int[] prompt = stories.tokenizer.encode("Once upon a time", true, false);
        return GenerationRequest.builder(id, prompt).maxTokens(40)
                .sampling(new SamplingParams(1f, 0, 1f, 0f, 1f, 0f, 0f, seed)).logprobs(0).constraint(c);
    }

    @Test
    void aResumedConstrainedRequestContinuesWhereTheRunWas() {
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config().build())) {
            Collector whole = new Collector();
            engine.submit(request("w", 7, new Alternating(9)), whole);
            whole.await();
            int[] all = whole.tokenArray();
            for (int k : new int[] {1, 4, 8}) {
                Collector rest = new Collector();
                engine.submit(builder("r" + k, 7, new Alternating(9)).resumeAfter(Arrays.copyOf(all, k)).build(), rest);
                assertThat(rest.await()).isInstanceOf(FinishReason.Stop.class);
                int[] joined = new int[all.length];
                System.arraycopy(all, 0, joined, 0, k);
                int[] tail = rest.tokenArray();
                assertThat(k + tail.length).as("tokens after a cut at %d", k).isEqualTo(all.length);
                System.arraycopy(tail, 0, joined, k, tail.length);
                assertThat(joined).as("tokens after a cut at %d", k).isEqualTo(all);
            }
            // a resumed token the constraint does not allow there is refused, naming the field
            int[] wrong = {all[1]}; // an odd position's token at an even position
            assertThatThrownBy(() -> engine.submit(
                            builder("x", 7, new Alternating(9)).resumeAfter(wrong).build(), new Collector()))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("structured-output constraint");
        }
    }

    @Test
    void onlyAllowedTokensAndTheEndComesWhenComplete() {
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config().build())) {
            for (long seed = 0; seed < 4; seed++) {
                Collector out = new Collector();
                engine.submit(request("c" + seed, seed, new Alternating(9)), out);
                assertThat(out.await()).isInstanceOfSatisfying(FinishReason.Stop.class,
                        s -> assertThat(s.tokenId()).isEqualTo(eos));
                int[] t = out.tokenArray();
                assertThat(t).hasSize(9); // the EOS token ends the output and is not streamed
                for (int i = 0; i < 9; i++) {
                    assertThat(t[i]).isBetween(i % 2 == 0 ? 300 : 400, i % 2 == 0 ? 339 : 439);
                }
                // logprobs are the model's, before the mask: finite for every picked token
                assertThat(out.logprobs).allSatisfy(lp -> assertThat(lp.logprob()).isFinite());
            }
        }
    }

    @Test
    void aPreemptedConstrainedRequestGivesTheSameSeededOutput() {
        List<int[]> reference = new ArrayList<>();
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config().build())) {
            for (int i = 0; i < 12; i++) {
                Collector out = new Collector();
                engine.submit(request("r" + i, 100 + i, new Alternating(30)), out);
                out.await();
                reference.add(out.tokenArray());
            }
        }
        long perToken = new LlamaRunner(stories.model).kvBytesPerToken(KvType.F32);
        EngineConfig tight = config().maxModelLen(64).kvCacheBytes(perToken * 16 * 6).build();
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), tight)) {
            List<Collector> outs = new ArrayList<>();
            try (Engine.Freeze frozen = engine.freezeLoopForTesting()) {
                for (int i = 0; i < 12; i++) {
                    Collector out = new Collector();
                    outs.add(out);
                    engine.submit(request("p" + i, 100 + i, new Alternating(30)), out);
                }
            }
            for (int i = 0; i < 12; i++) {
                outs.get(i).await();
                assertThat(outs.get(i).tokenArray()).as("request %d", i).containsExactly(reference.get(i));
            }
            assertThat(engine.metrics().preemptions()).isPositive();
        }
    }
}
