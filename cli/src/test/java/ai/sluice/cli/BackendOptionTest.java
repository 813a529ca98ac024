package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --backend} as a user meets it, each in a fresh JVM (the CUDA driver is looked up once per
 * process, and {@code SLUICE_LIBCUDA} points the lookup elsewhere): {@code cuda} without a driver is
 * one line and exit 1, {@code auto} without one runs on the CPU and says why, and with the cuda
 * module's stand-in driver (a libcuda with cuda.h's signatures whose kernels do nothing) both pick
 * the GPU and bench-engine runs a whole stories260K decode through the CUDA backend, judged
 * against the card's datasheet bandwidth. The stand-in proves the wiring, not the numbers.
 */
class BackendOptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path STAND_IN_SOURCE = Path.of("../cuda/src/test/c/stand_in_libcuda.c");

    @TempDir
    Path dir;

    private static String model() {
        return GenerateCommandTest.shared().resolve("models/stories260K.gguf").toString();
    }

    private static List<String> benchEngine(String backend) {
        return List.of("bench-engine", "--model", model(), "--prompt", "4", "--decode", "2", "--runs", "1",
                "--bandwidth-mib", "0", "--threads", "1", "--json", "--backend", backend);
    }

    @Test
    void cudaWithoutADriverIsOneLineAndExitOne() throws Exception {
        Result r = run(benchEngine("cuda"), "/nonexistent/libcuda.so.1");
        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.errLines()).as(r.err()).containsExactly("sluice: error: --backend cuda: no CUDA driver: "
                + "/nonexistent/libcuda.so.1 cannot be loaded (the NVIDIA driver is not installed, or this machine has no GPU)");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void autoWithoutADriverRunsOnTheCpuAndSaysWhy() throws Exception {
        Result r = run(benchEngine("auto"), "/nonexistent/libcuda.so.1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.errLines()).as(r.err()).filteredOn(l -> l.contains("backend"))
                .containsExactly("sluice: backend: cpu (--backend auto: no CUDA driver: /nonexistent/libcuda.so.1 "
                        + "cannot be loaded (the NVIDIA driver is not installed, or this machine has no GPU))");
        JsonNode bench = JSON.readTree(r.out());
        assertThat(bench.get("backend").asText()).isEqualTo("cpu");
        assertThat(bench.get("decode_tok_s").asDouble()).isPositive();
    }

    @Test
    void theDefaultIsTheCpuAndSaysNothingAboutIt() throws Exception {
        List<String> args = new ArrayList<>(benchEngine("cpu"));
        args.subList(args.size() - 2, args.size()).clear();
        Result r = run(args, "/nonexistent/libcuda.so.1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.errLines()).as(r.err()).noneMatch(l -> l.contains("backend"));
        assertThat(JSON.readTree(r.out()).get("backend").asText()).isEqualTo("cpu");
    }

    @Test
    void cudaAndAutoPickTheGpuTheDriverShows() throws Exception {
        String standIn = compileStandIn();
        boolean kernelsBuilt = BackendOptionTest.class.getResource("/ai/sluice/cuda/sluice_kernels.fatbin") != null;
        for (String backend : new String[] {"cuda", "auto"}) {
            Result r = run(benchEngine(backend), standIn);
            if (!kernelsBuilt) {
                // a build without nvcc has no kernels: cuda says so, auto falls back
                assertThat(r.errLines()).as(r.err()).anyMatch(l -> l.contains("this build has no CUDA kernels"));
                continue;
            }
            assertThat(r.exit()).as(backend + ": " + r.err()).isZero();
            assertThat(r.errLines()).as(r.err()).filteredOn(l -> l.contains("backend")).singleElement().asString()
                    .startsWith("sluice: backend: GPU 0: Stand-in H100 80GB HBM3 (")
                    .endsWith(backend.equals("auto") ? "(--backend auto)" : "TB/s)");
            JsonNode bench = JSON.readTree(r.out());
            assertThat(bench.get("backend").asText()).isEqualTo("cuda:0 (Stand-in H100 80GB HBM3)");
            assertThat(bench.get("bandwidth_source").asText()).isEqualTo("datasheet");
            assertThat(bench.get("bandwidth_gb_s").asDouble()).isEqualTo(3350.0);
            assertThat(bench.has("kernels")).isFalse();
        }
    }

    /** The cuda module's stand-in libcuda, built with gcc (a failure on CI without gcc, else a skip). */
    private String compileStandIn() throws IOException, InterruptedException {
        Path gcc = Path.of("/usr/bin/gcc");
        if (!Files.isExecutable(gcc)) {
            if (System.getenv("SLUICE_CI") != null || System.getenv("CI") != null) {
                throw new AssertionError("gcc is missing on CI (.ci/run installs it)");
            }
            Assumptions.abort("needs gcc to build the stand-in libcuda");
        }
        Path library = dir.resolve("libcuda-stand-in.so");
        Process p = new ProcessBuilder(gcc.toString(), "-shared", "-fPIC", "-O1", "-o", library.toString(),
                STAND_IN_SOURCE.toAbsolutePath().normalize().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return library.toString();
    }

    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        }
    }

    /** The CLI in a fresh JVM with the launcher's flags and {@code SLUICE_LIBCUDA=libcuda}. */
    private static Result run(List<String> args, String libcuda) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.remove("SLUICE_LOG_FORMAT");
        env.put("SLUICE_LIBCUDA", libcuda);
        Path errFile = Files.createTempFile("sluice-backend-test", ".err");
        try {
            Process process = builder.redirectError(errFile.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", args).isTrue();
            return new Result(process.exitValue(), out, Files.readString(errFile));
        } finally {
            Files.deleteIfExists(errFile);
        }
    }
}
