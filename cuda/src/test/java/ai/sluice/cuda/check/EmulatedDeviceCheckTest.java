package ai.sluice.cuda.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernels' arithmetic on a machine without a GPU: sluice_kernels.cu compiled for the CPU by g++
 * (src/test/cpp/emulated_kernels.cpp: blocks one after another, a block's threads as fibers switched
 * at barriers and shuffles) inside the stand-in libcuda, and DeviceCheck run against it with small
 * shapes. Every check must pass: each kernel against its Java reference, outputs poisoned first.
 * What this cannot show: speed, and whatever differs on real hardware (the memory model, the last
 * bit of the GPU's expf); the device check on a GPU runs the same checks at full size.
 */
class EmulatedDeviceCheckTest {

    static Optional<Path> tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name));
            }
        }
        return Optional.empty();
    }

    /** Builds the stand-in libcuda with the emulated kernels into {@code dir}; skips (fails on CI) without gcc/g++. */
    static Path buildEmulator(Path dir) throws IOException, InterruptedException {
        Optional<Path> gcc = tool("gcc");
        Optional<Path> gxx = tool("g++");
        if (gcc.isEmpty() || gxx.isEmpty()) {
            if (System.getenv("SLUICE_CI") != null || System.getenv("CI") != null) {
                throw new AssertionError("gcc and g++ are needed on CI (.ci/run installs gcc)");
            }
            Assumptions.abort("needs gcc and g++ to build the kernel emulator");
        }
        Path test = Path.of("src/test").toAbsolutePath();
        Path lib = dir.resolve("libcuda-emulated.so");
        exec(gcc.get().toString(), "-c", "-fPIC", "-O1", "-Wall", "-Werror", "-o", dir.resolve("stand_in.o").toString(),
                test.resolve("c/stand_in_libcuda.c").toString());
        // -fno-strict-aliasing: the kernels read 16-byte loads through other pointer types, as CUDA code does
        exec(gxx.get().toString(), "-std=c++20", "-O2", "-fPIC", "-ffp-contract=off", "-fno-strict-aliasing",
                "-I" + test.resolve("cpp/include"), "-c", "-x", "c++", "-o", dir.resolve("emulated.o").toString(),
                test.resolve("cpp/emulated_kernels.cpp").toString());
        exec(gxx.get().toString(), "-shared", "-o", lib.toString(), dir.resolve("stand_in.o").toString(),
                dir.resolve("emulated.o").toString());
        return lib;
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    }

    @Test
    void everyKernelMatchesItsReferenceOnTheEmulator(@TempDir Path dir) throws Exception {
        Path lib = buildEmulator(dir);
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), DeviceCheck.class.getName(),
                "--emulated", "--seed", Long.toString(System.nanoTime()), "--out", dir.resolve("out").toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SLUICE_LIBCUDA", lib.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("GPU 0: Stand-in").contains("PASS attention F16").contains("PASS matvec Q4_0");
        assertThat(out).doesNotContain("FAIL");
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(Files.readString(dir.resolve("out/device-check.log"))).contains(", 0 failed ==");
    }
}
