package ai.sluice.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.testing.SharedData;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Our forward pass against llama.cpp's answers for stories260K (F32 weights). */
class Stories260KFidelityTest {
    private static GgufFile file;
    private static CpuBackend backend;
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        file = GgufFile.open(SharedData.stories260K());
        backend = new CpuBackend(new KernelPool(2));
        model = LlamaModel.load(file, backend);
    }

    @AfterAll
    static void close() {
        backend.close();
        file.close();
    }

    @Test
    void generatesTheOracleTokensWithF32Kv() {
        for (OracleCase c : OracleCase.load("stories260K-f32kv.json")) {
            try (Generator g = model.newGenerator(64, KvType.F32)) {
                assertThat(Greedy.generate(g, c.tokensWithBos(), c.generatedIds().length))
                        .as("case %s", c).containsExactly(c.generatedIds());
            }
        }
    }

    @Test
    void generatesTheOracleTokensWithF16Kv() {
        for (String oracle : List.of("stories260K.json", "stories260K-f32kv.json")) {
            for (OracleCase c : OracleCase.load(oracle)) {
                try (Generator g = model.newGenerator(64, KvType.F16)) {
                    assertThat(Greedy.generate(g, c.tokensWithBos(), c.generatedIds().length))
                            .as("%s case %s", oracle, c).containsExactly(c.generatedIds());
                }
            }
        }
    }

    @Test
    void firstStepLogitsMatchF32KvOracle() {
        double maxDiff = 0;
        double maxLogProbDiff = 0;
        for (OracleCase c : OracleCase.load("stories260K-f32kv.json")) {
            try (Generator g = model.newGenerator(64, KvType.F32)) {
                float[] logits = g.prompt(c.tokensWithBos());
                assertThat(logits).hasSameSizeAs(c.firstStepLogits());
                for (int i = 0; i < logits.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(logits[i] - c.firstStepLogits()[i]));
                }
                double logZ = logSumExp(logits);
                for (int j = 0; j < c.top5Ids()[0].length; j++) {
                    double ours = logits[c.top5Ids()[0][j]] - logZ;
                    double theirs = Math.log(c.top5Probs()[0][j]);
                    maxLogProbDiff = Math.max(maxLogProbDiff, Math.abs(ours - theirs));
                }
            }
        }
        System.out.printf("stories260K f32kv: max |logit diff| %.3g, max top-5 |log-prob diff| %.3g%n",
                maxDiff, maxLogProbDiff);
        assertThat(maxLogProbDiff).isLessThan(1e-3);
        assertThat(maxDiff).isLessThan(1e-3);
    }

    static double logSumExp(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return max + Math.log(sum);
    }
}
