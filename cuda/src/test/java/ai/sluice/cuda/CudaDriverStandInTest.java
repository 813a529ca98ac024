package ai.sluice.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.BackendContract;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.tensor.Buffer;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bindings end to end without a GPU: {@link CudaDriver} over a stand-in {@code libcuda}
 * (src/test/c/stand_in_libcuda.c, compiled here with gcc) that has cuda.h's signatures and keeps
 * "device memory" in host memory. What this proves: every symbol Sluice binds is found by its
 * exported name, every call's Java types match its handle (a mismatch throws at the first call,
 * which on a GPU machine would be too late), out-parameters are read back, and failures name the
 * call and the error. What it cannot prove: anything about the real driver or the kernels
 * (DeviceCheck does that on a GPU).
 */
class CudaDriverStandInTest {
    @TempDir
    static Path dir;
    private static Path library;

    @BeforeAll
    static void compileStandIn() throws IOException, InterruptedException {
        Optional<Path> gcc = Toolchain.find("gcc");
        if (gcc.isEmpty()) {
            if (System.getenv("SLUICE_CI") != null || System.getenv("CI") != null) {
                throw new AssertionError("gcc is missing on CI (.ci/run installs it)");
            }
            Assumptions.abort("needs gcc to build the stand-in libcuda");
        }
        library = dir.resolve("libcuda-stand-in.so");
        Process p = new ProcessBuilder(gcc.get().toString(), "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o",
                library.toString(), Path.of("src/test/c/stand_in_libcuda.c").toAbsolutePath().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static CudaDriver driver() {
        return CudaDriver.open(library.toString());
    }

    @Test
    void readsTheDeviceThroughEveryQueryCall() {
        CudaDriver driver = driver();
        assertThat(driver.driverVersion()).isEqualTo(13000);
        try (CudaContext ctx = CudaContext.open(driver, 0)) {
            DeviceInfo info = ctx.info();
            assertThat(info.name()).isEqualTo("Stand-in H100 80GB HBM3");
            assertThat(info.computeMajor()).isEqualTo(DeviceAttribute.COMPUTE_CAPABILITY_MAJOR);
            assertThat(info.multiprocessors()).isEqualTo(DeviceAttribute.MULTIPROCESSOR_COUNT);
            assertThat(info.l2Bytes()).isEqualTo(DeviceAttribute.L2_CACHE_SIZE);
            assertThat(info.totalMemory()).isEqualTo(80L << 30);
            assertThat(info.rooflineBytesPerSecond()).isEqualTo(3.35e12);
            assertThat(driver.memoryInfo()).isEqualTo(new CudaDriver.MemoryInfo(79L << 30, 80L << 30));
            assertThat(driver.attribute(DeviceAttribute.MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, 0)).isEqualTo(97);
        }
        assertThatThrownBy(() -> CudaContext.open(driver, 1))
                .isInstanceOf(CudaUnavailableException.class).hasMessage("GPU 1 does not exist (the driver sees 1)");
    }

    @Test
    void movesBytesThroughEveryCopyAndSet() {
        try (CudaContext ctx = CudaContext.open(driver(), 0)) {
            float[] values = {1f, -2.5f, 3.25f, Float.MIN_VALUE, 7f};
            DeviceBuffer a = ctx.upload(values);
            DeviceBuffer b = ctx.allocate(a.bytes());
            ctx.driver().copyOnDevice(b.address(), a.address(), a.bytes());
            assertThat(ctx.downloadFloats(b, 5)).containsExactly(values);
            ctx.poison(b);
            for (float v : ctx.downloadFloats(b, 5)) {
                assertThat(Float.floatToRawIntBits(v)).isEqualTo(CudaContext.NAN_BITS);
            }
            ctx.driver().memsetD8(b.address(), (byte) 0x5A, 3);
            assertThat(ctx.downloadBytes(b, 4)).containsExactly(0x5A, 0x5A, 0x5A, 0x7F); // the NaN word's top byte stays
            assertThat(ctx.downloadBytes(ctx.upload(new byte[] {9, 8, 7}), 3)).containsExactly(9, 8, 7);
            // an array's segment (weights read into the heap) goes through native staging
            ctx.upload(MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5}), b);
            assertThat(ctx.downloadBytes(b, 5)).containsExactly(1, 2, 3, 4, 5);
            assertThat(ctx.downloadBytes(ctx.upload(new int[] {0x01020304}), 4)).containsExactly(4, 3, 2, 1);
            assertThatThrownBy(() -> ctx.downloadFloats(b, 6)).hasMessageContaining("6 floats from a buffer of 20 bytes");
            ctx.free(a);
            ctx.free(b);
            ctx.synchronize();
        }
    }

    @Test
    void failuresNameTheCallAndTheError() {
        try (CudaContext ctx = CudaContext.open(driver(), 0)) {
            assertThatThrownBy(() -> ctx.allocate(1L << 40))
                    .isInstanceOf(CudaException.class)
                    .hasMessage("cuMemAlloc_v2(1099511627776 bytes): CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
            // a code the stand-in cannot name: the Java table names it
            try (Arena a = Arena.ofConfined()) {
                MemorySegment garbage = a.allocate(64);
                assertThatThrownBy(() -> ctx.driver().moduleLoadData(garbage))
                        .isInstanceOf(CudaException.class)
                        .hasMessage("cuModuleLoadData: CUDA_ERROR_INVALID_IMAGE")
                        .extracting(e -> ((CudaException) e).code()).isEqualTo(200);
            }
        }
    }

    @Test
    void launchesPassGridAndArgumentsThrough() throws Throwable {
        try (CudaContext ctx = CudaContext.open(driver(), 0); CudaModule module = loadModule(ctx)) {
            assertThatThrownBy(() -> module.launch("sluice_no_such_kernel", 1, 1, 32))
                    .isInstanceOf(CudaException.class)
                    .hasMessage("cuModuleGetFunction(sluice_no_such_kernel): CUDA_ERROR_NOT_FOUND (named symbol not found)");
            CudaKernels kernels = new CudaKernels(module);
            DeviceBuffer x = ctx.allocate(4096);
            DeviceBuffer y = ctx.allocate(4096);
            kernels.add(x, y, 1000);
            long[] last = lastLaunch();
            assertThat(lastKernel()).isEqualTo("sluice_add");
            assertThat(new long[] {last[1], last[2], last[3], last[4], last[5], last[6]}).containsExactly(4, 1, 1, 256, 1, 1);
            assertThat(last[9]).isEqualTo(x.address());
            assertThat(last[10]).isEqualTo(y.address());
            assertThat(last[11]).isEqualTo(1000L);
            kernels.rmsNorm(x, x, y, 2, 100, 1e-5f);
            last = lastLaunch();
            assertThat(lastKernel()).isEqualTo("sluice_rms_norm");
            assertThat(last[1]).isEqualTo(2);
            assertThat((int) last[12]).isEqualTo(100); // an int argument's slot: its low 4 bytes
            assertThat(Float.intBitsToFloat((int) last[13])).isEqualTo(1e-5f);
            long start = ctx.driver().eventCreate(0);
            long end = ctx.driver().eventCreate(0);
            ctx.driver().eventRecord(start, module.stream());
            ctx.driver().eventSynchronize(end);
            assertThat(ctx.driver().eventElapsedMillis(start, end)).isEqualTo(0.5f);
            ctx.driver().eventDestroy(start);
            ctx.driver().eventDestroy(end);
            long stream = ctx.driver().streamCreate(1);
            ctx.driver().streamSynchronize(stream);
            ctx.driver().streamDestroy(stream);
            ctx.driver().functionSetAttribute(last[0], 8, 65536);
        }
    }

    /**
     * The CUDA backend under the forward pass of a real model: the stand-in runs no kernel, so the
     * logits are meaningless, but every op the pass calls must get past its shape checks with the
     * shapes stories260K gives (an FFN of 172, heads of 8, a tied output), and the backend must refuse
     * the CPU's buffers and weights by name.
     */
    @Test
    void theBackendTakesEveryOpOfARealForwardPass() {
        Path file = Path.of(System.getProperty("sluice.shared", "../../shared"), "models", "stories260K.gguf");
        Assumptions.assumeTrue(Files.exists(file), file + " is not here");
        Assumptions.assumeTrue(CudaModuleAvailable.fatbin(), "no fatbin in this build");
        try (CudaBackend cuda = CudaBackend.open(driver(), 0);
                GgufFile f = GgufFile.open(file);
                CpuBackend cpu = new CpuBackend(
                        new KernelPool(1), KernelChoice.JAVA)) {
            assertThat(cuda.name()).isEqualTo("cuda:0 (Stand-in H100 80GB HBM3)");
            BackendContract.Report report = BackendContract.compare(
                    LlamaModel.load(f, cpu), LlamaModel.load(f, cuda),
                    BackendContract.Scenario.DEFAULT);
            assertThat(report.candidate()).isEqualTo(cuda.name());
            assertThat(report.logitsCompared()).isGreaterThan(BackendContract.Scenario.DEFAULT.decodeSteps());
            Buffer onCpu = cpu.allocate(64);
            assertThatThrownBy(() -> cuda.add(cuda.allocate(64), onCpu, 64))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a buffer of backend cpu was passed to the cuda:0 (Stand-in H100 80GB HBM3) backend");
        }
    }

    /** Whether this build has the fatbin (the stand-in checks its magic). */
    static final class CudaModuleAvailable {
        static boolean fatbin() {
            try {
                Fatbin.load();
                return true;
            } catch (CudaUnavailableException e) {
                if (Toolchain.fatbinRequiredBecause() != null) {
                    throw new AssertionError("the fatbin should have been built", e);
                }
                return false;
            }
        }
    }

    private static CudaModule loadModule(CudaContext ctx) {
        try {
            return CudaModule.load(ctx);
        } catch (CudaUnavailableException e) {
            String required = Toolchain.fatbinRequiredBecause();
            if (required != null) {
                throw new AssertionError("the fatbin should have been built (" + required + ")", e);
            }
            Assumptions.abort("no fatbin in this build: " + e.getMessage());
            throw e;
        }
    }

    private static String lastKernel() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = SymbolLookup.libraryLookup(library, a).find("stand_in_last_kernel").orElseThrow();
            MemorySegment name = (MemorySegment) Linker.nativeLinker()
                    .downcallHandle(f, FunctionDescriptor.of(ValueLayout.ADDRESS)).invokeExact();
            return name.reinterpret(64).getString(0);
        }
    }

    private static long[] lastLaunch() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = SymbolLookup.libraryLookup(library, a).find("stand_in_last_launch").orElseThrow();
            MemorySegment out = a.allocate(ValueLayout.JAVA_LONG, 14);
            Linker.nativeLinker().downcallHandle(f, FunctionDescriptor.ofVoid(ValueLayout.ADDRESS)).invokeExact(out);
            return out.toArray(ValueLayout.JAVA_LONG);
        }
    }
}
