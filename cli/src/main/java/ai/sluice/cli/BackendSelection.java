package ai.sluice.cli;

import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.cuda.CudaBackend;
import ai.sluice.cuda.CudaException;
import ai.sluice.cuda.CudaUnavailableException;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Opens the backend {@code --backend} asks for; the CLI's one place that knows the CUDA module.
 * {@code cuda} is GPU 0 or one line saying why not (no driver, no GPU, no kernels in this build,
 * the driver refusing the kernels); {@code auto} falls back to the CPU for any of those reasons.
 * A choice other than the plain {@code cpu} is logged once per process, with the reason for a fallback.
 */
final class BackendSelection {
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private BackendSelection() {
    }

    /** The backend for {@code choice}; the CPU's with {@code threads} kernel threads (0 = one per core). */
    static Backend open(BackendChoice choice, int threads, KernelChoice kernels) {
        return switch (choice) {
            case CPU -> cpu(threads, kernels);
            case CUDA -> {
                try {
                    CudaBackend gpu = CudaBackend.open(0);
                    log("backend: " + gpu.context().info());
                    yield gpu;
                } catch (CudaUnavailableException | CudaException e) {
                    throw new CudaUnavailableException("--backend cuda: " + oneLine(e));
                }
            }
            case AUTO -> {
                CudaBackend gpu;
                try {
                    gpu = CudaBackend.open(0);
                } catch (CudaUnavailableException | CudaException e) {
                    log("backend: cpu (--backend auto: " + oneLine(e) + ")");
                    yield cpu(threads, kernels);
                }
                log("backend: " + gpu.context().info() + " (--backend auto)");
                yield gpu;
            }
        };
    }

    /**
     * The memory bandwidth to judge {@code backend}'s decode speed against where it is a datasheet
     * figure (a GPU: its HBM); empty for the CPU, whose bandwidth is measured instead.
     */
    static OptionalDouble datasheetBandwidth(Backend backend) {
        return backend instanceof CudaBackend gpu
                ? OptionalDouble.of(gpu.context().info().rooflineBytesPerSecond()) : OptionalDouble.empty();
    }

    private static Backend cpu(int threads, KernelChoice kernels) {
        return new CpuBackend(threads > 0 ? new KernelPool(threads) : KernelPool.sizedToCores(), kernels);
    }

    private static String oneLine(RuntimeException e) {
        String m = e.getMessage() != null ? e.getMessage() : e.toString();
        return m.lines().findFirst().orElse(m);
    }

    private static void log(String line) {
        if (LOGGED.compareAndSet(false, true)) {
            System.getLogger(BackendSelection.class.getName()).log(System.Logger.Level.INFO, line);
        }
    }
}
