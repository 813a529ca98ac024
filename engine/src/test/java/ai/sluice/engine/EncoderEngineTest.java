package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.BertModel;
import ai.sluice.core.model.Pooling;
import ai.sluice.core.synth.SyntheticBert;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encoder engine on a synthetic bert-tiny: batched inputs pool to exactly their one-by-one vectors. */
class EncoderEngineTest {
    @TempDir
    static Path dir;
    private static GgufFile file;
    private static CpuBackend backend;
    private static BertModel model;

    @BeforeAll
    static void load() {
        Path out = dir.resolve("bert-tiny.gguf");
        try (GgufFile vocab = GgufFile.open(Stories260K.shared().resolve("models/tokenizer-tests/ggml-vocab-bert-bge.gguf"))) {
            SyntheticBert.write(out, SyntheticBert.TINY, GgmlType.F32, 3, vocab.metadata(), Pooling.CLS);
        }
        file = GgufFile.open(out);
        backend = new CpuBackend(new KernelPool(1));
        model = BertModel.load(file, backend);
    }

    @AfterAll
    static void close() {
        backend.close();
        file.close();
    }

    private static int[] input(int len) {
        int[] t = new int[len];
        t[0] = 101;
        for (int i = 1; i < len; i++) {
            t[i] = 2000 + (i * 131 + len) % 20000;
        }
        t[len - 1] = 102;
        return t;
    }

    private static float[] embed(EncoderEngine e, int[] tokens, Pooling pooling) {
        EngineEmbeddingTest.Result r = new EngineEmbeddingTest.Result();
        e.embed(new EmbeddingRequest("x", tokens, pooling, true), r);
        return r.await();
    }

    @Test
    void batchedInputsGetTheirOneByOneVectorsExactly() {
        int[] lengths = {3, 40, 7, 120, 512, 2};
        List<float[]> alone = new ArrayList<>();
        try (EncoderEngine e = EncoderEngine.start(model, EngineConfig.builder().maxBatchedTokens(1).build())) {
            for (int len : lengths) {
                alone.add(embed(e, input(len), Pooling.MEAN));
            }
        }
        try (EncoderEngine e = EncoderEngine.start(model, EngineConfig.builder().maxBatchedTokens(256).build())) {
            List<EngineEmbeddingTest.Result> results = new ArrayList<>();
            for (int len : lengths) {
                EngineEmbeddingTest.Result r = new EngineEmbeddingTest.Result();
                e.embed(new EmbeddingRequest("b", input(len), Pooling.MEAN, true), r);
                results.add(r);
            }
            for (int i = 0; i < lengths.length; i++) {
                assertThat(results.get(i).await()).as("length %d", lengths[i]).containsExactly(alone.get(i));
            }
            // fewer passes than inputs: they were batched
            assertThat(e.metrics().iterationTokens().count()).isLessThan(lengths.length);
            assertThat(e.metrics().promptTokens()).isEqualTo(3 + 40 + 7 + 120 + 512 + 2);
        }
    }

    @Test
    void clsAndMeanDifferAndTooLongInputsAreRefused() {
        try (EncoderEngine e = EncoderEngine.start(model, EngineConfig.builder().build())) {
            float[] cls = embed(e, input(30), Pooling.CLS);
            float[] mean = embed(e, input(30), Pooling.MEAN);
            assertThat(cls).hasSize(128).isNotEqualTo(mean);
            double n = 0;
            for (float x : cls) {
                n += (double) x * x;
            }
            assertThat(n).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
            assertThatThrownBy(() -> e.embed(new EmbeddingRequest("x", input(513), Pooling.CLS, true),
                    new EngineEmbeddingTest.Result())).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("512");
        }
    }
}
