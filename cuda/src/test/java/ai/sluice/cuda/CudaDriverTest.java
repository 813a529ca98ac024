package ai.sluice.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CudaDriverTest {

    @Test
    void aMissingDriverIsOneLineThatSaysSo() {
        assertThatThrownBy(() -> CudaDriver.open("libcuda-not-installed.so.1"))
                .isInstanceOf(CudaUnavailableException.class)
                .hasMessageStartingWith("no CUDA driver: libcuda-not-installed.so.1 cannot be loaded")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aLibraryThatIsNotTheDriverIsRefusedByName() {
        // libm loads everywhere glibc does, and has no cuInit
        assertThatThrownBy(() -> CudaDriver.open("libm.so.6"))
                .isInstanceOf(CudaUnavailableException.class)
                .hasMessage("no CUDA driver: libm.so.6 loads but is not the CUDA driver library (it lacks cuInit)");
    }

    @Test
    void loadingTheRealDriverEitherWorksOrSaysWhyInOneLine() {
        try {
            CudaDriver driver = CudaDriver.load();
            assertThat(driver.driverVersion()).isGreaterThan(0);
            assertThat(driver.errorName(2)).isEqualTo("CUDA_ERROR_OUT_OF_MEMORY");
        } catch (CudaUnavailableException e) {
            assertThat(e.getMessage()).matches("(no CUDA driver: |CUDA driver ).*").doesNotContain("\n");
            // the outcome is kept: the second call says the same
            assertThatThrownBy(CudaDriver::load).hasMessage(e.getMessage());
        }
    }
}
