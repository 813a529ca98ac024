package ai.sluice.cuda;

/**
 * Launches a kernel of the loaded fatbin by name: the seam between {@link CudaKernels} (which
 * checks shapes and picks grids) and the driver ({@link CudaModule}).
 */
@FunctionalInterface
public interface KernelLauncher {
    /** Enqueues {@code kernel} on a {@code gridX x gridY} grid of {@code threads}-thread blocks. */
    void launch(String kernel, int gridX, int gridY, int threads, Object... args);
}
