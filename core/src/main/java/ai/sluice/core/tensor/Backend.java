package ai.sluice.core.tensor;

/**
 * The kernel seam: the matrix products and the parallel loop the model needs. CPU now
 * ({@link CpuBackend}); an accelerator backend can replace it without touching the model.
 *
 * <p>Activations are flat row-major arrays: entry {@code b} of a batch is
 * {@code x[b * cols .. (b + 1) * cols)} and its output is {@code out[b * rows .. (b + 1) * rows)}.
 */
public interface Backend extends AutoCloseable {

    /**
     * {@code out[b][r] = W[r] . x[b]} for every row {@code r} and batch entry {@code b < batch}.
     * Each weight row is read once per call, whatever the batch size, and each output element is
     * computed the same way whatever the batch (batch invariance).
     */
    default void matmul(WeightMatrix w, float[] x, int batch, float[] out) {
        matmul(w, x, 0, batch, out, 0);
    }

    /**
     * As {@link #matmul(WeightMatrix, float[], int, float[])} with entry {@code b} read from
     * {@code x[xOff + b * cols ..]} and written to {@code out[outOff + b * rows ..]}.
     */
    void matmul(WeightMatrix w, float[] x, int xOff, int batch, float[] out, int outOff);

    /**
     * Several matrices over the same input: {@code outs[i]} receives {@code ws[i] x} as
     * {@link #matmul(WeightMatrix, float[], int, float[])} would, in one pass (one synchronization,
     * the input prepared once), e.g. the q, k and v projections of a layer.
     */
    default void matmulEach(WeightMatrix[] ws, float[] x, int batch, float[][] outs) {
        if (ws.length != outs.length) {
            throw new IllegalArgumentException(ws.length + " matrices for " + outs.length + " outputs");
        }
        for (int i = 0; i < ws.length; i++) {
            matmul(ws[i], x, batch, outs[i]);
        }
    }

    /** {@code out[r] = W[r] . x}: a batch of one. */
    default void matvec(WeightMatrix w, float[] x, float[] out) {
        matmul(w, x, 1, out);
    }

    /** Runs {@code body} over {@code [0, n)} split across the backend's threads. */
    void parallelFor(int n, int grain, RangeBody body);

    /** Threads the backend computes with. */
    int threads();

    @Override
    void close();
}
