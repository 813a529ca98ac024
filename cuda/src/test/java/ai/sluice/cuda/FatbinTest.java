package ai.sluice.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FatbinTest {
    /** Every kernel CudaKernels launches, by its extern "C" name. */
    static final List<String> KERNELS = List.of("sluice_rms_norm", "sluice_rope", "sluice_swiglu", "sluice_add",
            "sluice_embed_rows", "sluice_repack_q8_0", "sluice_repack_q4_0", "sluice_quantize_q8", "sluice_matvec_f16",
            "sluice_matvec_q8_0", "sluice_matvec_q4_0", "sluice_matmul", "sluice_kv_write", "sluice_attention",
            "sluice_fill_bytes", "sluice_fill_f16", "sluice_add_rows", "sluice_embed_prepared");

    static byte[] fatbin() {
        try {
            return Fatbin.load();
        } catch (CudaUnavailableException e) {
            String required = Toolchain.fatbinRequiredBecause();
            if (required != null) {
                throw new AssertionError("the fatbin should have been built (" + required + ") but: " + e.getMessage(), e);
            }
            Assumptions.abort("no nvcc on this machine, so no fatbin: " + e.getMessage());
            throw e; // not reached
        }
    }

    @Test
    void holdsMachineCodeForAmpereAndHopperAndHopperPtx() {
        List<Fatbin.Entry> entries = Fatbin.entries(fatbin());
        assertThat(entries).extracting(Fatbin.Entry::toString)
                .contains("sm_80 elf", "sm_90 elf", "compute_90 ptx");
        assertThat(entries).allSatisfy(e -> assertThat(e.bytes()).isPositive());
    }

    @Test
    void holdsEveryKernelTheJavaSideLaunches() {
        String text = new String(fatbin(), StandardCharsets.ISO_8859_1);
        for (String kernel : KERNELS) {
            assertThat(text).as("kernel %s in the fatbin", kernel).contains(kernel + "\0");
        }
    }

    @Test
    void cuobjdumpSeesTheSameArchitectures(@TempDir Path dir) throws IOException, InterruptedException {
        Optional<Path> cuobjdump = Toolchain.find("cuobjdump");
        Assumptions.assumeTrue(cuobjdump.isPresent(), "cuobjdump is not installed here (the device machine has it)");
        Path file = dir.resolve("k.fatbin");
        Files.write(file, fatbin());
        Process p = new ProcessBuilder(cuobjdump.get().toString(), "--list-elf", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("sm_80").contains("sm_90");
    }

    @Test
    void refusesBytesThatAreNotAFatbin() {
        assertThatThrownBy(() -> Fatbin.entries("not a fatbin at all".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic");
        byte[] truncated = Arrays.copyOf(fatbin(), 200);
        assertThatThrownBy(() -> Fatbin.entries(truncated))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claims");
    }
}
