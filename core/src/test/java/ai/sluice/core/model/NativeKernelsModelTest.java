package ai.sluice.core.model;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.tensor.KvCacheMemory;
import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.synth.SynthConfig;
import ai.sluice.core.synth.SyntheticLlama;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.testing.NativeKernels;
import ai.sluice.core.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native kernels in a whole model (the Q8_0 and Q4_0 copies of stories260K): every logit of
 * every step has the Java path's bits, and sequences batched into one forward pass (prefill of all
 * prompts at once, then decode steps of all of them) have the bits they have alone.
 */
class NativeKernelsModelTest {
    private static final int STEPS = 8;

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-q8_0.gguf", "stories260K-q4_0.gguf"})
    void nativeLogitsHaveTheJavaBitsAloneAndBatched(String modelFile) {
        NativeKernels.requireLibrary();
        List<OracleCase> cases = OracleCase.load("stories260K-f32kv.json");
        int n = cases.size();
        try (GgufFile file = GgufFile.open(SharedData.models().resolve("derived").resolve(modelFile));
                CpuBackend java = new CpuBackend(new KernelPool(2), KernelChoice.JAVA);
                CpuBackend nat = new CpuBackend(new KernelPool(2), KernelChoice.NATIVE)) {
            assertThat(nat.int8Kernels()).startsWith("native ");
            LlamaModel javaModel = LlamaModel.load(file, java);
            LlamaModel nativeModel = LlamaModel.load(file, nat);
            float[][][] solo = new float[n][STEPS][];
            int[][] tokens = new int[n][STEPS];
            for (int s = 0; s < n; s++) {
                try (Generator j = javaModel.newGenerator(64, KvType.F16); Generator g = nativeModel.newGenerator(64, KvType.F16)) {
                    int[] prompt = cases.get(s).tokensWithBos();
                    float[] expected = j.prompt(prompt);
                    float[] logits = g.prompt(prompt);
                    for (int step = 0; step < STEPS; step++) {
                        assertThat(logits).as("prompt %d step %d", s, step).containsExactly(expected);
                        solo[s][step] = logits.clone();
                        tokens[s][step] = Greedy.argmax(logits, 0, logits.length);
                        expected = j.next(tokens[s][step]);
                        logits = g.next(tokens[s][step]);
                    }
                }
            }
            int vocab = nativeModel.vocabSize();
            try (KvCacheMemory pool = KvCacheMemory.allocate(nativeModel.config().layers(), n * 64, nativeModel.config().keyDim(), nativeModel.config().valueDim(), KvType.F16)) {
                ForwardPass pass = nativeModel.newForwardPass(64);
                List<BatchEntry> batch = new ArrayList<>();
                int[] positions = new int[n];
                for (int s = 0; s < n; s++) {
                    int[] prompt = cases.get(s).tokensWithBos();
                    for (int p = 0; p < prompt.length; p++) {
                        batch.add(new BatchEntry(prompt[p], p, new ContiguousSlots(s * 64), p == prompt.length - 1));
                    }
                    positions[s] = prompt.length;
                }
                float[] logits = new float[n * vocab];
                pass.forward(batch, pool, logits);
                for (int step = 0; step < STEPS; step++) {
                    batch.clear();
                    for (int s = 0; s < n; s++) {
                        assertThat(Arrays.copyOfRange(logits, s * vocab, (s + 1) * vocab))
                                .as("batched prompt %d step %d", s, step).containsExactly(solo[s][step]);
                        batch.add(new BatchEntry(tokens[s][step], positions[s]++, new ContiguousSlots(s * 64), true));
                    }
                    pass.forward(batch, pool, logits);
                }
            }
        }
    }

    /**
     * Heads of 64 (stories260K's are 8, summed in double): here the attention scores run the lane
     * order, on the native loops and the Java ones, with grouped KV heads (4 query heads over 2),
     * over a prompt of 60 tokens and 12 decode steps: every logit has the Java path's bits. (A
     * score one float step off rarely shows in a logit, the F16 accumulator rounds it away:
     * HalfAttentionTest holds the loops to their bits; this, the whole model on them.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0"})
    void nativeAttentionOnWideHeadsHasTheJavaBits(String type, @TempDir Path dir) {
        NativeKernels.requireLibrary();
        Path model = dir.resolve("wide-heads.gguf");
        SyntheticLlama.write(model, new SynthConfig("t", "test", 256, 2, 4, 2, 512, 300, 128, 10000f, 1e-5f),
                GgmlType.valueOf(type), 11);
        try (GgufFile file = GgufFile.open(model);
                CpuBackend java = new CpuBackend(new KernelPool(2), KernelChoice.JAVA);
                CpuBackend nat = new CpuBackend(new KernelPool(2), KernelChoice.NATIVE)) {
            assertThat(nat.halfAttention()).startsWith("native ");
            assertThat(java.halfAttention()).isEqualTo("java");
            LlamaModel javaModel = LlamaModel.load(file, java);
            LlamaModel nativeModel = LlamaModel.load(file, nat);
            try (Generator j = javaModel.newGenerator(128, KvType.F16); Generator g = nativeModel.newGenerator(128, KvType.F16)) {
                int[] prompt = new int[60];
                Arrays.setAll(prompt, i -> 1 + (i * 37) % 299);
                float[] expected = j.prompt(prompt);
                float[] logits = g.prompt(prompt);
                for (int step = 0; step < 12; step++) {
                    assertThat(logits).as("step %d", step).containsExactly(expected);
                    int next = Greedy.argmax(logits, 0, logits.length);
                    expected = j.next(next);
                    logits = g.next(next);
                }
            }
        }
    }
}
