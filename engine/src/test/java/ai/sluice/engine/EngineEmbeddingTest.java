package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.model.Pooling;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Embeddings through the engine on the real stories260K model. */
class EngineEmbeddingTest {
    private static Stories260K stories;

    @BeforeAll
    static void load() {
        stories = Stories260K.open();
    }

    @AfterAll
    static void close() {
        stories.close();
    }

    private static EngineConfig.Builder config(int maxBatchedTokens) {
        return EngineConfig.builder()
                .kvCacheBytes(16L << 20)
                .maxNumSeqs(16)
                .maxBatchedTokens(maxBatchedTokens)
                .detokenizer(Detokenizer.of(stories.tokenizer))
                .eosTokenIds(Set.of(stories.tokenizer.vocabulary().eosId()));
    }

    /** Inputs of 1 to 200 tokens: several span more than one 64-token model call and more than one step. */
    private static List<int[]> inputs() {
        List<int[]> out = new ArrayList<>();
        for (int len : new int[] {1, 5, 17, 64, 65, 130, 200}) {
            int[] t = new int[len];
            t[0] = 1;
            for (int i = 1; i < len; i++) {
                t[i] = 3 + (i * 37 + len) % 500;
            }
            out.add(t);
        }
        return out;
    }

    static final class Result implements EmbeddingListener {
        final CompletableFuture<float[]> vector = new CompletableFuture<>();
        volatile int tokens;

        @Override
        public void onEmbedding(float[] embedding, int n) {
            tokens = n;
            vector.complete(embedding);
        }

        @Override
        public void onFailure(FinishReason reason) {
            vector.completeExceptionally(new AssertionError("embedding failed: " + reason));
        }

        float[] await() {
            try {
                return vector.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static float[] embedAlone(Engine engine, int[] tokens, Pooling pooling, boolean normalize) {
        Result r = new Result();
        engine.embed(new EmbeddingRequest("one", tokens, pooling, normalize), r);
        return r.await();
    }

    @Test
    void batchedWithGenerationsAndChunkedEqualsOneByOneBitForBit() {
        List<int[]> inputs = inputs();
        List<float[]> alone = new ArrayList<>();
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config(512).prefixCaching(false).build())) {
            for (int[] t : inputs) {
                alone.add(embedAlone(engine, t, Pooling.MEAN, true));
            }
        }
        // a small token budget: long inputs are split over several steps, and share them with decodes
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config(48).build())) {
            List<Collector> generations = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Collector c = new Collector();
                engine.submit(GenerationRequest.builder("gen" + i, inputs.get(2)).maxTokens(20).ignoreEos(true)
                        .build(), c);
                generations.add(c);
            }
            List<Result> results = new ArrayList<>();
            for (int[] t : inputs) {
                Result r = new Result();
                engine.embed(new EmbeddingRequest("batched", t, Pooling.MEAN, true), r);
                results.add(r);
            }
            for (int i = 0; i < inputs.size(); i++) {
                assertThat(results.get(i).await()).as("input %d", i).containsExactly(alone.get(i));
                assertThat(results.get(i).tokens).isEqualTo(inputs.get(i).length);
            }
            for (Collector c : generations) {
                assertThat(c.await()).isEqualTo(new FinishReason.Length());
                assertThat(c.tokens).hasSize(20);
            }
            assertThat(engine.metrics().iterationTokens().count()).isGreaterThan(inputs.size());
        }
    }

    /**
     * A KV budget of 3 sequences, 4 generations decoding and 4 long embedding inputs behind them
     * (the newest, so the first to be preempted when the decodes need blocks): preempted
     * embeddings recompute from position 0, and every vector is still exactly the lone one.
     */
    @Test
    void preemptedEmbeddingsRestartTheirPoolingAndStayExact() {
        int[] prompt = inputs().get(4); // 65 tokens
        int[] longInput = inputs().get(5); // 130 tokens
        float[] alone;
        int[] reference;
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config(256).build())) {
            alone = embedAlone(engine, longInput, Pooling.MEAN, true);
            Collector c = new Collector();
            engine.submit(GenerationRequest.builder("ref", prompt).maxTokens(60).ignoreEos(true).build(), c);
            c.await();
            reference = c.tokenArray();
        }
        long perToken = new LlamaRunner(stories.model).kvBytesPerToken(ai.sluice.core.tensor.KvType.F32);
        EngineConfig tight = config(48).maxModelLen(140).prefixCaching(false)
                .kvCacheBytes(KvCacheLayout.bytesForSequences(3, 140, EngineConfig.DEFAULT_BLOCK_SIZE, perToken)).build();
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), tight)) {
            List<Collector> generations = new ArrayList<>();
            List<Result> embeddings = new ArrayList<>();
            try (Engine.Freeze frozen = engine.freezeLoopForTesting()) {
                for (int i = 0; i < 4; i++) {
                    Collector c = new Collector();
                    engine.submit(GenerationRequest.builder("g" + i, prompt).maxTokens(60).ignoreEos(true).build(), c);
                    generations.add(c);
                }
                for (int i = 0; i < 4; i++) {
                    Result r = new Result();
                    engine.embed(new EmbeddingRequest("e" + i, longInput, Pooling.MEAN, true), r);
                    embeddings.add(r);
                }
            }
            for (Result r : embeddings) {
                assertThat(r.await()).containsExactly(alone);
            }
            for (Collector c : generations) {
                assertThat(c.await()).isEqualTo(new FinishReason.Length());
                assertThat(c.tokenArray()).containsExactly(reference);
            }
            assertThat(engine.metrics().preemptions()).isPositive();
            assertThat(engine.metrics().kvCacheUsage()).isZero();
        }
    }

    @Test
    void vectorsHaveUnitNormAndPoolingsDiffer() {
        int[] t = inputs().get(5);
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config(256).build())) {
            float[] mean = embedAlone(engine, t, Pooling.MEAN, true);
            float[] cls = embedAlone(engine, t, Pooling.CLS, true);
            float[] last = embedAlone(engine, t, Pooling.LAST, true);
            for (float[] v : List.of(mean, cls, last)) {
                assertThat(v).hasSize(engine.embeddingLength()).hasSize(64);
                assertThat(norm(v)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
            }
            assertThat(cosine(mean, cls)).isLessThan(0.99);
            assertThat(cosine(mean, last)).isLessThan(0.99);
            assertThat(cosine(cls, last)).isLessThan(0.99);
            // CLS of a sequence is the state of its first token alone: causal attention sees nothing after it
            assertThat(embedAlone(engine, new int[] {t[0]}, Pooling.LAST, true)).containsExactly(cls);
        }
    }

    /**
     * The un-normalised last-token state, times the tied output matrix (token_embd), is the model's
     * next-token logits: compare with llama.cpp's logits for the oracle prompts (F32 KV), so the
     * hidden state is checked against an implementation that shares nothing with ours.
     */
    @Test
    void lastHiddenStateGivesLlamaCppsLogits() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Stories260K.shared().resolve("oracle/stories260K-f32kv.json").toFile());
        float[][] embd = new float[512][];
        var w = ai.sluice.core.tensor.WeightMatrix.of(stories.file, "token_embd.weight");
        for (int r = 0; r < 512; r++) {
            embd[r] = new float[64];
            w.dequantizeRow(r, embd[r], 0);
        }
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config(256).build())) {
            int checked = 0;
            for (JsonNode c : root.get("cases")) {
                JsonNode raw = c.get("tokens_with_bos");
                JsonNode ids = raw.isTextual() ? new ObjectMapper().readTree(raw.asText()) : raw;
                int[] tokens = new int[ids.size()];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = ids.get(i).asInt();
                }
                float[] h = embedAlone(engine, tokens, Pooling.LAST, false);
                JsonNode expected = c.get("first_step_logits");
                for (int v = 0; v < 512; v++) {
                    double logit = 0;
                    for (int i = 0; i < 64; i++) {
                        logit += (double) embd[v][i] * h[i];
                    }
                    assertThat(logit).as("%s, token %d", c.get("prompt").asText(), v)
                            .isCloseTo(expected.get(v).asDouble(), org.assertj.core.data.Offset.offset(1e-3));
                }
                checked++;
            }
            assertThat(checked).isGreaterThan(0);
        }
    }

    @Test
    void refusesInputsLongerThanTheContextAndTokensOutsideTheVocabulary() {
        try (Engine engine = Engine.start(new LlamaRunner(stories.model), config(256).maxModelLen(300).build())) {
            int[] tooLong = new int[engine.maxModelLen() + 1];
            java.util.Arrays.fill(tooLong, 5);
            assertThatThrownBy(() -> engine.embed(new EmbeddingRequest("x", tooLong, Pooling.MEAN, true), new Result()))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("max-model-len");
            assertThatThrownBy(() -> engine.embed(new EmbeddingRequest("x", new int[] {1, 9999}, Pooling.MEAN, true),
                    new Result())).isInstanceOf(InvalidRequestException.class).hasMessageContaining("9999");
            // exactly maxModelLen tokens fit: nothing is generated after them
            int[] full = new int[engine.maxModelLen()];
            java.util.Arrays.fill(full, 5);
            assertThat(embedAlone(engine, full, Pooling.MEAN, true)).hasSize(64);
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    private static double cosine(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (double) a[i] * b[i];
        }
        return d / (norm(a) * norm(b));
    }
}
