package ai.sluice.core.tensor;

/**
 * Kernels on the CPU: output rows split over a {@link KernelPool} in chunks of whole cache lines of
 * output, each chunk computed by the thread's {@link MatmulKernel} (register tiles of rows x
 * tokens, fused dequantize-and-dot for a batch of one).
 */
public final class CpuBackend implements Backend {
    /** Multiply-adds below which a chunk is not worth handing to another thread. */
    private static final int MIN_WORK_PER_CHUNK = 32 * 1024;
    /**
     * Rows per unit of work: 16 output floats are one 64-byte cache line, so two threads never
     * write the same line of {@code out} (no false sharing), and 16 is a multiple of the row tile.
     */
    private static final int ROWS_PER_UNIT = 16;

    private final KernelPool pool;
    private final ThreadLocal<MatmulKernel> kernels = ThreadLocal.withInitial(MatmulKernel::new);
    private final ThreadLocal<Int8Kernel> int8Kernels = ThreadLocal.withInitial(Int8Kernel::new);
    /** Quantized inputs, per calling thread: filled once per product, read by every worker. */
    private final ThreadLocal<Int8Activations> activations = ThreadLocal.withInitial(Int8Activations::new);

    public CpuBackend(KernelPool pool) {
        this.pool = pool;
    }

    /** A backend with its own pool, one thread per core. */
    public static CpuBackend sizedToCores() {
        return new CpuBackend(KernelPool.sizedToCores());
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, int xOff, int batch, float[] out, int outOff) {
        int rows = w.rows();
        int cols = w.cols();
        if (xOff < 0 || outOff < 0 || x.length < xOff + (long) batch * cols
                || out.length < outOff + (long) batch * rows) {
            throw new IllegalArgumentException("matmul " + w + " x batch " + batch
                    + ": input " + x.length + " / output " + out.length + " floats are too short");
        }
        int units = (rows + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT;
        long workPerUnit = (long) ROWS_PER_UNIT * cols * batch;
        int grain = (int) Math.max(1, MIN_WORK_PER_CHUNK / Math.max(1, workPerUnit));
        if (Int8Kernel.handles(w.type())) {
            Int8Activations q = activations.get();
            q.quantize(x, xOff, batch, cols);
            pool.parallelFor(units, grain, (start, end) -> int8Kernels.get().rows(w, q, batch, out, outOff,
                    start * ROWS_PER_UNIT, Math.min(rows, end * ROWS_PER_UNIT)));
            return;
        }
        pool.parallelFor(units, grain, (start, end) -> kernels.get().rows(w, x, xOff, batch, out, outOff,
                start * ROWS_PER_UNIT, Math.min(rows, end * ROWS_PER_UNIT)));
    }

    @Override
    public void parallelFor(int n, int grain, RangeBody body) {
        pool.parallelFor(n, grain, body);
    }

    @Override
    public int threads() {
        return pool.threads();
    }

    @Override
    public void close() {
        pool.close();
    }
}
