package ai.sluice.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** On a GPU only (skipped elsewhere, saying why): memory round trips and errors that name their call. */
class CudaContextTest {

    @Test
    void copiesRoundTripAndPoisonShows() {
        try (CudaContext ctx = Gpu.open()) {
            assertThat(ctx.info().name()).isNotBlank();
            assertThat(ctx.driver().memoryInfo().total()).isEqualTo(ctx.info().totalMemory());
            float[] values = {1f, -2.5f, 3.25f, Float.MIN_VALUE};
            DeviceBuffer b = ctx.upload(values);
            assertThat(ctx.downloadFloats(b, 4)).containsExactly(values);
            ctx.poison(b);
            for (float v : ctx.downloadFloats(b, 4)) {
                assertThat(v).isNaN();
            }
            ctx.free(b);
        }
    }

    @Test
    void anUnknownKernelNamesTheCallAndTheError() {
        try (CudaContext ctx = Gpu.open(); CudaModule module = CudaModule.load(ctx)) {
            assertThatThrownBy(() -> module.launch("sluice_no_such_kernel", 1, 1, 32))
                    .isInstanceOf(CudaException.class)
                    .hasMessageStartingWith("cuModuleGetFunction(sluice_no_such_kernel): CUDA_ERROR_NOT_FOUND");
        }
    }
}
