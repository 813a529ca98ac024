package ai.sluice.core.tensor;

/**
 * For benchmarks outside this package: a backend whose native kernels read the weights in the
 * file's layout ({@code SLUICE_NATIVE_REPACK=0}), to time beside the default (repacked) one in one
 * process.
 */
public final class NativeLayouts {
    private NativeLayouts() {
    }

    /** A backend on the native kernels of the highest level this CPU runs, without repacking. */
    public static CpuBackend fileLayout(KernelPool pool) {
        return new CpuBackend(pool, NativeInt8Kernel.load(NativeInt8Kernel.load().level(), false));
    }
}
