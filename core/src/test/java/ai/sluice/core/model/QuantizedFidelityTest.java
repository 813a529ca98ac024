package ai.sluice.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.testing.NativeKernels;
import ai.sluice.core.testing.SharedData;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Q8_0 / Q4_0 copies of stories260K against llama.cpp. Both engines quantize the activations to 8
 * bits for the Q8_0 and Q4_0 products; logits still differ slightly (the F16 ffn_down tensors, for
 * which llama.cpp rounds the activations to f16, and attention over the F16 KV cache, are computed
 * in float here), so the test records per case how many leading tokens agree and asserts what is
 * achieved today (Q8_0: 5 of 6 cases identical, the sixth diverges after 27 tokens; Q4_0: 6 of 6).
 * On both kernel paths: the Java (Vector API) kernels and the native library's (skipped, saying
 * so, only where the library cannot have been built).
 */
class QuantizedFidelityTest {

    @ParameterizedTest
    @CsvSource({"stories260K-q8_0.gguf, stories260K-q8_0.json, 5, JAVA", "stories260K-q4_0.gguf, stories260K-q4_0.json, 6, JAVA",
            "stories260K-q8_0.gguf, stories260K-q8_0.json, 5, NATIVE", "stories260K-q4_0.gguf, stories260K-q4_0.json, 6, NATIVE"})
    void generatesTheOracleTokens(String model, String oracle, int identicalCases, KernelChoice kernels) {
        try (GgufFile file = GgufFile.open(SharedData.models().resolve("derived").resolve(model));
             CpuBackend backend = new CpuBackend(new KernelPool(2), NativeKernels.require(kernels))) {
            LlamaModel m = LlamaModel.load(file, backend);
            List<OracleCase> cases = OracleCase.load(oracle);
            int exact = 0;
            double worstDiff = 0;
            int fewestAgreeing = Integer.MAX_VALUE;
            for (OracleCase c : cases) {
                try (Generator g = m.newGenerator(64, KvType.F16)) {
                    int[] ours = Greedy.generate(g, c.tokensWithBos(), c.generatedIds().length);
                    float[] first = g.prompt(c.tokensWithBos()).clone();
                    double maxDiff = 0;
                    for (int i = 0; i < first.length; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs(first[i] - c.firstStepLogits()[i]));
                    }
                    int agree = 0;
                    while (agree < ours.length && ours[agree] == c.generatedIds()[agree]) {
                        agree++;
                    }
                    worstDiff = Math.max(worstDiff, maxDiff);
                    fewestAgreeing = Math.min(fewestAgreeing, agree);
                    if (agree == ours.length) {
                        exact++;
                    }
                    System.out.printf("%s case %s: %d/%d leading tokens equal, first-step max |logit diff| %.3g%n",
                            oracle, c, agree, ours.length, maxDiff);
                }
            }
            System.out.printf("%s: %d/%d cases identical%n", oracle, exact, cases.size());
            // what this implementation achieves; the remaining differences are described above
            assertThat(exact).isGreaterThanOrEqualTo(identicalCases);
            assertThat(fewestAgreeing).isGreaterThanOrEqualTo(20);
            assertThat(worstDiff).isLessThan(0.5);
        }
    }
}
