package ai.sluice.core.model;

import ai.sluice.core.tensor.KvType;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.testing.OpenModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Our forward pass against llama.cpp's answers for stories260K (F32 weights). */
class Stories260KFidelityTest {
    private static OpenModel stories;
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        stories = OpenModel.stories260K();
        model = stories.model();
    }

    @AfterAll
    static void close() {
        stories.close();
    }

    @ParameterizedTest(name = "{0} with {1} KV")
    @CsvSource({"stories260K-f32kv.json, F32", "stories260K-f32kv.json, F16", "stories260K.json, F32",
            "stories260K.json, F16"})
    void generatesTheOracleTokensForEveryCase(String oracle, KvType kvType) {
        for (OracleCase c : OracleCase.load(oracle)) {
            try (Generator g = model.newGenerator(64, kvType)) {
                assertThat(Greedy.generate(g, c.tokensWithBos(), c.generatedIds().length))
                        .as("case %s", c).containsExactly(c.generatedIds());
            }
        }
    }

    @Test
    void f16KvLogitsStayCloseToLlamaCppsF16KvRun() {
        double maxDiff = 0;
        for (OracleCase c : OracleCase.load("stories260K.json")) {
            try (Generator g = model.newGenerator(64, KvType.F16)) {
                float[] logits = g.prompt(c.tokensWithBos());
                for (int i = 0; i < logits.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(logits[i] - c.firstStepLogits()[i]));
                }
            }
        }
        System.out.printf("stories260K (llama.cpp F16 KV, flash attention) vs our F16 KV: max |logit diff| %.3g%n",
                maxDiff);
        assertThat(maxDiff).isLessThan(5e-2);
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
