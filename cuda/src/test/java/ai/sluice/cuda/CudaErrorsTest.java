package ai.sluice.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CudaErrorsTest {

    @Test
    void namesTheCodesOfCudaH() {
        assertThat(CudaErrors.name(0)).isEqualTo("CUDA_SUCCESS");
        assertThat(CudaErrors.name(2)).isEqualTo("CUDA_ERROR_OUT_OF_MEMORY");
        assertThat(CudaErrors.name(100)).isEqualTo("CUDA_ERROR_NO_DEVICE");
        assertThat(CudaErrors.name(209)).isEqualTo("CUDA_ERROR_NO_BINARY_FOR_GPU");
        assertThat(CudaErrors.name(700)).isEqualTo("CUDA_ERROR_ILLEGAL_ADDRESS");
        assertThat(CudaErrors.name(999)).isEqualTo("CUDA_ERROR_UNKNOWN");
    }

    @Test
    void anUnknownCodeKeepsItsNumber() {
        assertThat(CudaErrors.name(4242)).isEqualTo("CUresult 4242");
    }

    @Test
    void anExceptionNamesTheCallAndTheError() {
        CudaException e = new CudaException("cuMemAlloc_v2(1024 bytes)", 2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory");
        assertThat(e).hasMessage("cuMemAlloc_v2(1024 bytes): CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.call()).isEqualTo("cuMemAlloc_v2(1024 bytes)");
        assertThat(e.errorName()).isEqualTo("CUDA_ERROR_OUT_OF_MEMORY");
        assertThat(new CudaException("cuInit", 100, "CUDA_ERROR_NO_DEVICE", "")).hasMessage("cuInit: CUDA_ERROR_NO_DEVICE");
    }
}
