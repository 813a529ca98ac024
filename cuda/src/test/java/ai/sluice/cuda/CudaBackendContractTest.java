package ai.sluice.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.BackendContract;
import ai.sluice.core.model.KvType;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CUDA backend keeps {@link BackendContract} against the CPU backend on stories260K (F32, and
 * its q8_0/q4_0 derivatives; F32 and F16 KV): same greedy tokens, logits and hidden states within
 * {@link BackendContract#ACCELERATOR_TOLERANCE}. Needs a GPU: skipped elsewhere, saying why
 * ({@code DeviceCheck --models} runs the same comparison on the device machine, where there is no Maven).
 */
class CudaBackendContractTest {

    private static Path model(String name) {
        Path shared = Path.of(System.getProperty("sluice.shared", "../../shared"));
        Path p = name.equals("stories260K.gguf") ? shared.resolve("models").resolve(name)
                : shared.resolve("models").resolve("derived").resolve(name);
        Assumptions.assumeTrue(Files.exists(p), p + " is not here");
        return p;
    }

    private static CudaBackend gpu() {
        try {
            return CudaBackend.open(0);
        } catch (CudaUnavailableException e) {
            Assumptions.abort("needs a CUDA GPU: " + e.getMessage());
            throw e; // not reached
        }
    }

    @ParameterizedTest
    @CsvSource({"stories260K.gguf, F32", "stories260K.gguf, F16", "stories260K-q8_0.gguf, F32",
            "stories260K-q4_0.gguf, F16"})
    void givesTheCpuBackendsTokensAndLogits(String file, KvType kv) {
        try (CudaBackend cuda = gpu();
                GgufFile f = GgufFile.open(model(file));
                CpuBackend cpu = new CpuBackend(new KernelPool(2), KernelChoice.JAVA)) {
            BackendContract.Report report = BackendContract.compare(LlamaModel.load(f, cpu), LlamaModel.load(f, cuda),
                    BackendContract.Scenario.DEFAULT.withKvType(kv));
            assertThat(report.problems(BackendContract.ACCELERATOR_TOLERANCE)).isEmpty();
            assertThat(report.logitsCompared()).isGreaterThan(BackendContract.Scenario.DEFAULT.decodeSteps());
        }
    }
}
