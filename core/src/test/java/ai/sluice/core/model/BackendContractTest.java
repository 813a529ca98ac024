package ai.sluice.core.model;

import ai.sluice.core.tensor.KvType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.tensor.Buffer;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.tensor.PreparedWeight;
import ai.sluice.core.tensor.WeightMatrix;
import ai.sluice.core.testing.NativeKernels;
import ai.sluice.core.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backend contract ({@link BackendContract}) on the CPU's own variants, which must give the
 * reference's bits (tolerance 0): native kernels against Java ones, another thread count, other
 * batch splits, F16 KV. Another backend's test is the same call with its model as the candidate
 * (and {@link BackendContract#ACCELERATOR_TOLERANCE}).
 */
class BackendContractTest {

    private static Path model(String name) {
        return name.equals("stories260K.gguf") ? SharedData.stories260K() : SharedData.models().resolve("derived").resolve(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf"})
    void nativeKernelsOnThreeThreadsKeepTheContractOfJavaKernelsOnOne(String file) {
        NativeKernels.requireLibrary();
        try (GgufFile f = GgufFile.open(model(file));
                CpuBackend reference = new CpuBackend(new KernelPool(1), KernelChoice.JAVA);
                CpuBackend candidate = new CpuBackend(new KernelPool(3), KernelChoice.NATIVE)) {
            BackendContract.Report report = BackendContract.compare(LlamaModel.load(f, reference),
                    LlamaModel.load(f, candidate), BackendContract.Scenario.DEFAULT);
            assertThat(report.problems(0f)).isEmpty();
            assertThat(report.logitsCompared()).isGreaterThan(BackendContract.Scenario.DEFAULT.decodeSteps());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7})
    void everyBatchSplitAndF16KvKeepTheContract(int maxBatch) {
        try (GgufFile f = GgufFile.open(model("stories260K-q8_0.gguf"));
                CpuBackend reference = new CpuBackend(new KernelPool(2), KernelChoice.JAVA);
                CpuBackend candidate = new CpuBackend(new KernelPool(2), KernelChoice.JAVA)) {
            BackendContract.Scenario scenario = BackendContract.Scenario.DEFAULT.withMaxBatch(maxBatch)
                    .withKvType(KvType.F16);
            assertThat(BackendContract.compare(LlamaModel.load(f, reference), LlamaModel.load(f, candidate), scenario)
                    .problems(0f)).isEmpty();
        }
    }

    /** The check bites: another quantization of the same model is not the same computation. */
    @Test
    void aDifferentComputationBreaksTheContract() {
        try (GgufFile exact = GgufFile.open(model("stories260K.gguf"));
                GgufFile q4 = GgufFile.open(model("stories260K-q4_0.gguf"));
                CpuBackend backend = new CpuBackend(new KernelPool(2))) {
            BackendContract.Report report = BackendContract.compare(LlamaModel.load(exact, backend),
                    LlamaModel.load(q4, backend), BackendContract.Scenario.DEFAULT);
            assertThat(report.maxLogitDiff()).isGreaterThan(0f);
            assertThat(report.maxHiddenDiff()).isGreaterThan(0f);
            assertThat(report.problems(0f)).anySatisfy(p -> assertThat(p).startsWith("cpu: logits differ by up to"));
            assertThat(report.problems(Float.MAX_VALUE)).isEmpty();
        }
    }

    /** A swapped token counts unless the reference's own logits for the two were within twice the tolerance. */
    @Test
    void aSwapOnANearTieIsExcusedOnlyWithinTwiceTheTolerance() {
        BackendContract.Report report = new BackendContract.Report("gpu", 3, 0.02f, 0.015f,
                List.of(new BackendContract.TokenMismatch("single sequence, step 4", 7, 9, 0.07f)));
        assertThat(report.problems(0.05f)).isEmpty();
        assertThat(report.problems(0.03f)).containsExactly(
                "gpu: single sequence, step 4: token 9, the reference's 7 (reference logits 0.07 apart)");
        assertThat(report.problems(0.01f)).hasSize(3); // the swap, the logits, the hidden states
    }

    /** Data of one backend handed to another is refused, naming both, before anything is computed. */
    @Test
    void theCpuBackendRefusesAnotherBackendsBuffersAndWeights() {
        record DeviceBuffer(int length) implements Buffer {
            @Override
            public String backend() {
                return "cuda:0";
            }
        }
        record DeviceWeight(String name, int rows, int cols) implements PreparedWeight {
        }
        try (GgufFile f = GgufFile.open(model("stories260K.gguf")); CpuBackend backend = new CpuBackend(new KernelPool(1))) {
            WeightMatrix w = WeightMatrix.of(f, "blk.0.attn_q.weight");
            Buffer x = backend.allocate(w.cols());
            Buffer out = backend.allocate(w.rows());
            assertThatThrownBy(() -> backend.matmul(w, new DeviceBuffer(w.cols()), 1, out))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a buffer of backend cuda:0 was passed to the cpu backend");
            assertThatThrownBy(() -> backend.matmul(new DeviceWeight("blk.0.attn_q.weight", w.rows(), w.cols()), x, 1, out))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("weight 'blk.0.attn_q.weight' was prepared by another backend");
            assertThatThrownBy(() -> backend.read(new DeviceBuffer(4), 0, new float[4], 0, 4))
                    .hasMessageContaining("cuda:0");
            backend.matmul(backend.prepare(w), x, 1, out);
            float[] host = new float[w.rows()];
            backend.read(out, 0, host, 0, host.length);
            assertThat(host).containsOnly(0f); // zeros in, zeros out: the buffers were the backend's own
        }
    }
}
