package ai.sluice.cuda;

import org.junit.jupiter.api.Assumptions;

/** For tests that need a GPU: the context, or the test is skipped saying why (no driver, no device, no kernels). */
final class Gpu {
    private Gpu() {
    }

    static CudaContext open() {
        try {
            return CudaContext.open(0);
        } catch (CudaUnavailableException e) {
            Assumptions.abort("needs a CUDA GPU: " + e.getMessage());
            throw e; // not reached
        }
    }
}
