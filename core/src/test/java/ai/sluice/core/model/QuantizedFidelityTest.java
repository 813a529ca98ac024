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
 * Q8_0 / Q4_0 copies of stories260K against llama.cpp's oracle (F16 KV cache, flash attention on):
 * the greedy tokens of every case are llama.cpp's, all 32, on both kernel paths (the Java Vector API
 * kernels and the native library's; skipped, saying so, only where the library cannot have been
 * built). Both engines quantize the activations to 8 bits for the Q8_0 and Q4_0 products, round
 * them to F16 for the F16 ffn_down products, and attend over the F16 cache in F16 as llama.cpp's
 * flash attention does (see HalfAttention); what remains is the order of float additions inside
 * the products, so most first-step logits are within float rounding of llama.cpp's. Where that
 * noise moves an activation across an 8-bit rounding boundary, a logit moves by up to ~0.2: one
 * case of six does so today (also llama.cpp's own builds differ this way, see README "Fidelity").
 */
class QuantizedFidelityTest {

    @ParameterizedTest
    @CsvSource({"stories260K-q8_0.gguf, stories260K-q8_0.json, JAVA", "stories260K-q4_0.gguf, stories260K-q4_0.json, JAVA",
            "stories260K-q8_0.gguf, stories260K-q8_0.json, NATIVE", "stories260K-q4_0.gguf, stories260K-q4_0.json, NATIVE"})
    void generatesTheOracleTokens(String model, String oracle, KernelChoice kernels) {
        try (GgufFile file = GgufFile.open(SharedData.models().resolve("derived").resolve(model));
             CpuBackend backend = new CpuBackend(new KernelPool(2), NativeKernels.require(kernels))) {
            LlamaModel m = LlamaModel.load(file, backend);
            List<OracleCase> cases = OracleCase.load(oracle);
            int exact = 0;
            double worstDiff = 0;
            int fewestAgreeing = Integer.MAX_VALUE;
            int closeFirstSteps = 0;
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
                    if (maxDiff < 1e-4) {
                        closeFirstSteps++;
                    }
                    fewestAgreeing = Math.min(fewestAgreeing, agree);
                    if (agree == ours.length) {
                        exact++;
                    }
                    System.out.printf("%s case %s: %d/%d leading tokens equal, first-step max |logit diff| %.3g%n",
                            oracle, c, agree, ours.length, maxDiff);
                }
            }
            System.out.printf("%s: %d/%d cases identical%n", oracle, exact, cases.size());
            assertThat(exact).as("cases whose 32 greedy tokens are llama.cpp's").isEqualTo(cases.size());
            assertThat(fewestAgreeing).isEqualTo(32);
            // before F16 rounding and F16 attention every case was 0.16-0.29 away; now all but the
            // one where a boundary flips (see above) are within float rounding
            assertThat(closeFirstSteps).as("cases whose first-step logits are within 1e-4 of llama.cpp's")
                    .isGreaterThanOrEqualTo(cases.size() - 1);
            assertThat(worstDiff).isLessThan(0.5);
        }
    }
}
