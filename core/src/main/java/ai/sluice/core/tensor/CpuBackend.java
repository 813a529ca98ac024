package ai.sluice.core.tensor;

/**
 * Kernels on the CPU: rows of W are decoded once per call into a per-thread float buffer and dotted
 * with every batch entry (Vector API), output rows split over a {@link KernelPool}.
 */
public final class CpuBackend implements Backend {
    /** Multiply-adds below which a chunk is not worth handing to another thread. */
    private static final int MIN_WORK_PER_CHUNK = 32 * 1024;

    private final KernelPool pool;
    private final ThreadLocal<float[]> rowBuffer = ThreadLocal.withInitial(() -> new float[0]);

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
        int grain = Math.max(1, MIN_WORK_PER_CHUNK / Math.max(1, cols * batch));
        pool.parallelFor(rows, grain, (start, end) -> {
            float[] row = rowBuffer(cols);
            for (int r = start; r < end; r++) {
                w.dequantizeRow(r, row, 0);
                for (int b = 0; b < batch; b++) {
                    out[outOff + b * rows + r] = VectorMath.dot(row, 0, x, xOff + b * cols, cols);
                }
            }
        });
    }

    private float[] rowBuffer(int cols) {
        float[] buf = rowBuffer.get();
        if (buf.length < cols) {
            buf = new float[cols];
            rowBuffer.set(buf);
        }
        return buf;
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
