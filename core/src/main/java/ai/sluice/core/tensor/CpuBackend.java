package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.nativelib.NativeUnavailableException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.incubator.vector.FloatVector;

/**
 * The {@link Backend} on the CPU: buffers are heap arrays ({@link CpuBuffer}), weights stay the
 * memory-mapped {@link WeightMatrix}, the KV cache is off-heap {@link KvCacheMemory}.
 *
 * <p>Matrix products: output rows split over a {@link KernelPool} in chunks of whole cache lines of
 * output, each chunk computed by the thread's {@link MatmulKernel} (register tiles of rows x
 * tokens, fused dequantize-and-dot for a batch of one). Q8_0 and Q4_0 products go to the native
 * library's kernels where they load and the {@link KernelChoice} allows ({@link NativeInt8Kernel},
 * same bits), else to the Vector API's ({@link Int8Kernel}).
 *
 * <p>Besides the seam, the same products on host arrays ({@link #matmul(WeightMatrix, float[], int, float[])},
 * {@link #parallelFor}) for the CPU-only callers: the BERT encoder, kernel tests and benchmarks.
 */
public final class CpuBackend implements Backend {
    /** Multiply-adds below which a chunk is not worth handing to another thread. */
    private static final int MIN_WORK_PER_CHUNK = 32 * 1024;
    /**
     * Rows per unit of work: 16 output floats are one 64-byte cache line, so two threads never
     * write the same line of {@code out} (no false sharing), and 16 is a multiple of the row tile.
     */
    private static final int ROWS_PER_UNIT = 16;
    /** SwiGLU elements per parallel chunk: an exp costs ~20 ns, so a chunk is tens of microseconds. */
    private static final int SWIGLU_GRAIN = 2048;

    private final KernelPool pool;
    /** Whether Q8_0 and Q4_0 weights multiply 8-bit activations ({@link Int8Kernel}); else the float kernels. */
    private final boolean int8;
    private final ThreadLocal<MatmulKernel> kernels = ThreadLocal.withInitial(MatmulKernel::new);
    private final ThreadLocal<Int8Kernel> int8Kernels;
    /** Quantized inputs, per calling thread: filled once per product, read by every worker. */
    private final ThreadLocal<Int8Activations> activations;
    /** Inputs rounded to F16 for F16 weights, per calling thread (see {@link #matmulEach}). */
    private final ThreadLocal<float[][]> halfInputs = ThreadLocal.withInitial(() -> new float[1][0]);
    /** The native Q8_0/Q4_0 kernels, or null: the Java ones. */
    private final NativeInt8Kernel nativeInt8;
    private final CpuAttention attention;
    /** The first backend made says which int8 kernels it runs, once per process. */
    private static final AtomicBoolean CHOICE_LOGGED = new AtomicBoolean();

    /** A backend with the native int8 kernels where they load ({@link KernelChoice#AUTO}). */
    public CpuBackend(KernelPool pool) {
        this(pool, KernelChoice.AUTO);
    }

    /**
     * A backend whose Q8_0/Q4_0 products run on the kernels {@code choice} names; {@link
     * KernelChoice#NATIVE} where the library does not load throws {@link NativeUnavailableException}
     * (one line: why). The choice made is logged once per process.
     */
    public CpuBackend(KernelPool pool, KernelChoice choice) {
        this(pool, FloatVector.SPECIES_PREFERRED.vectorBitSize(), nativeKernels(choice));
    }

    /** A backend with the Java kernels laid out for {@code vectorBits} (see the other constructor). */
    CpuBackend(KernelPool pool, int vectorBits) {
        this(pool, vectorBits, null);
    }

    /** A backend whose int8 products run on {@code nativeInt8} (tests pick its level). */
    CpuBackend(KernelPool pool, NativeInt8Kernel nativeInt8) {
        this(pool, FloatVector.SPECIES_PREFERRED.vectorBitSize(), nativeInt8);
    }

    private static NativeInt8Kernel nativeKernels(KernelChoice choice) {
        NativeInt8Kernel k = null;
        String why = "--kernels java";
        if (choice != KernelChoice.JAVA) {
            try {
                k = NativeInt8Kernel.load();
            } catch (NativeUnavailableException e) {
                if (choice == KernelChoice.NATIVE) {
                    throw e;
                }
                why = e.getMessage();
            }
        }
        if (CHOICE_LOGGED.compareAndSet(false, true)) {
            System.getLogger(CpuBackend.class.getName()).log(System.Logger.Level.INFO,
                    k != null ? "Q8_0/Q4_0 kernels: " + k + ", F16 attention: native" : "Q8_0/Q4_0 kernels: java (" + why + ")");
        }
        return k;
    }

    /**
     * A backend whose int8 kernels are laid out for {@code vectorBits}-bit vectors: from 256 the
     * int8 path, from 512 its 512-bit tiles (16 tokens per register). Any width runs on any machine (a width the CPU
     * lacks is emulated, slowly), and the int8 paths give the same bits at 256 and 512: tests use
     * this to compare the AVX2 and AVX-512 layouts on one machine.
     */
    private CpuBackend(KernelPool pool, int vectorBits, NativeInt8Kernel nativeInt8) {
        this.pool = pool;
        this.nativeInt8 = nativeInt8;
        this.int8 = nativeInt8 != null || vectorBits >= Int8Kernel.MIN_VECTOR_BITS;
        // the native kernels read the plain quants: no token pairs to lay out for them
        boolean wideTiles = nativeInt8 == null && vectorBits >= WideTokenTile.MIN_VECTOR_BITS;
        this.int8Kernels = ThreadLocal.withInitial(() -> new Int8Kernel(wideTiles));
        this.activations = ThreadLocal.withInitial(() -> new Int8Activations(nativeInt8 == null));
        // the native library's attention loops come with its int8 kernels (one --kernels choice)
        HalfAttentionLoops halfLoops = nativeInt8 != null ? NativeAttentionLoops.load(nativeInt8.level()) : null;
        this.attention = new CpuAttention(pool, halfLoops != null ? halfLoops : JavaAttentionLoops.INSTANCE);
    }

    /** A backend with its own pool, one thread per core. */
    public static CpuBackend sizedToCores() {
        return new CpuBackend(KernelPool.sizedToCores());
    }

    /** What runs attention over an F16 KV cache here: {@code native half attention (16 lanes)} or {@code java}. */
    public String halfAttention() {
        return attention.halfLoops().toString();
    }

    /** What multiplies Q8_0/Q4_0 weights here: {@code native avx512-vnni}, {@code java}, ... */
    public String int8Kernels() {
        return nativeInt8 != null ? nativeInt8.toString() : "java";
    }

    /**
     * {@code out[b][r] = W[r] . x[b]} on host arrays, entry {@code b} of {@code x[b * cols ..]} to
     * {@code out[b * rows ..]}: {@link Backend#matmul} without buffers.
     */
    public void matmul(WeightMatrix w, float[] x, int batch, float[] out) {
        matmul(w, x, 0, batch, out, 0);
    }

    /** As {@link #matmul(WeightMatrix, float[], int, float[])}, entry {@code b} read from {@code x[xOff + b * cols ..]}, written to {@code out[outOff + b * rows ..]}. */
    public void matmul(WeightMatrix w, float[] x, int xOff, int batch, float[] out, int outOff) {
        checkShapes(w, x, xOff, batch, out, outOff);
        matmulEach(new WeightMatrix[] {w}, x, xOff, batch, new float[][] {out}, outOff);
    }

    /** {@link Backend#matmulEach} on host arrays. */
    public void matmulEach(WeightMatrix[] ws, float[] x, int batch, float[][] outs) {
        if (ws.length != outs.length || ws.length == 0) {
            throw new IllegalArgumentException(ws.length + " matrices for " + outs.length + " outputs");
        }
        for (int i = 0; i < ws.length; i++) {
            if (ws[i].cols() != ws[0].cols()) {
                throw new IllegalArgumentException("matmulEach: " + ws[i] + " and " + ws[0] + " take different inputs");
            }
            checkShapes(ws[i], x, 0, batch, outs[i], 0);
        }
        matmulEach(ws, x, 0, batch, outs, 0);
    }

    /**
     * One parallel loop over the rows of every matrix (units of {@link #ROWS_PER_UNIT} rows of one
     * matrix each), the input quantized once when any matrix takes 8-bit activations.
     */
    private void matmulEach(WeightMatrix[] ws, float[] x, int xOff, int batch, float[][] outs, int outOff) {
        int cols = ws[0].cols();
        int[] firstUnit = new int[ws.length + 1];
        boolean anyInt8 = false;
        for (int i = 0; i < ws.length; i++) {
            firstUnit[i + 1] = firstUnit[i] + (ws[i].rows() + ROWS_PER_UNIT - 1) / ROWS_PER_UNIT;
            anyInt8 |= multipliesInt8(ws[i].type());
        }
        Int8Activations q = null;
        if (anyInt8) {
            q = activations.get();
            q.quantize(x, xOff, batch, cols);
            if (nativeInt8 != null) {
                nativeInt8.prepare(q, batch * cols);
            }
        }
        Int8Activations quantized = q;
        // F16 weights multiply the input rounded to F16, as llama.cpp's CPU backend does (it converts
        // the input to the weights' type): in float the two engines' logits differ by up to ~1e-3
        float[] halfX = anyHalf(ws) ? halfRounded(x, xOff, batch * cols) : null;
        long workPerUnit = (long) ROWS_PER_UNIT * cols * batch;
        int grain = (int) Math.max(1, MIN_WORK_PER_CHUNK / Math.max(1, workPerUnit));
        pool.parallelFor(firstUnit[ws.length], grain, (start, end) -> {
            for (int i = 0; i < ws.length; i++) {
                int from = Math.max(start, firstUnit[i]) - firstUnit[i];
                int to = Math.min(end, firstUnit[i + 1]) - firstUnit[i];
                if (from < to && ws[i].type() == GgmlType.F16) {
                    rows(ws[i], halfX, 0, quantized, batch, outs[i], outOff,
                            from * ROWS_PER_UNIT, Math.min(ws[i].rows(), to * ROWS_PER_UNIT));
                } else if (from < to) {
                    rows(ws[i], x, xOff, quantized, batch, outs[i], outOff,
                            from * ROWS_PER_UNIT, Math.min(ws[i].rows(), to * ROWS_PER_UNIT));
                }
            }
        });
    }

    private static boolean anyHalf(WeightMatrix[] ws) {
        for (WeightMatrix w : ws) {
            if (w.type() == GgmlType.F16) {
                return true;
            }
        }
        return false;
    }

    private float[] halfRounded(float[] x, int xOff, int n) {
        float[][] holder = halfInputs.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        HalfRounding.round(x, xOff, n, holder[0], 0);
        return holder[0];
    }

    private void rows(WeightMatrix w, float[] x, int xOff, Int8Activations q, int batch, float[] out, int outOff,
            int rowStart, int rowEnd) {
        if (multipliesInt8(w.type())) {
            if (nativeInt8 != null) {
                nativeInt8.rows(w, q, batch, out, outOff, rowStart, rowEnd);
            } else {
                int8Kernels.get().rows(w, q, batch, out, outOff, rowStart, rowEnd);
            }
        } else {
            kernels.get().rows(w, x, xOff, batch, out, outOff, rowStart, rowEnd);
        }
    }

    /** Whether weights of {@code type} multiply 8-bit activations here (as llama.cpp does), not floats. */
    boolean multipliesInt8(GgmlType type) {
        return int8 && Int8Kernel.multiplies(type);
    }

    private static void checkShapes(WeightMatrix w, float[] x, int xOff, int batch, float[] out, int outOff) {
        if (xOff < 0 || outOff < 0 || x.length < xOff + (long) batch * w.cols()
                || out.length < outOff + (long) batch * w.rows()) {
            throw new IllegalArgumentException("matmul " + w + " x batch " + batch
                    + ": input " + x.length + " / output " + out.length + " floats are too short");
        }
    }

    /** Runs {@code body} over {@code [0, n)} split across the kernel threads. */
    public void parallelFor(int n, int grain, RangeBody body) {
        pool.parallelFor(n, grain, body);
    }

    @Override
    public int threads() {
        return pool.threads();
    }

    // ---- the seam (Backend) ----

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Buffer allocate(int floats) {
        return new CpuBuffer(new float[floats]);
    }

    @Override
    public Buffer upload(float[] values) {
        return new CpuBuffer(values.clone());
    }

    @Override
    public void write(float[] src, int srcOff, Buffer dst, int dstOff, int n) {
        System.arraycopy(src, srcOff, data(dst), dstOff, n);
    }

    @Override
    public void read(Buffer src, int srcOff, float[] dst, int dstOff, int n) {
        System.arraycopy(data(src), srcOff, dst, dstOff, n);
    }

    /**
     * The matrix itself: the kernels read the mapped bytes in place. (The native int8 kernels
     * repack a matrix at its first product, not here: the token embedding passes here too, and
     * only its lookups may ever read it.)
     */
    @Override
    public PreparedWeight prepare(WeightMatrix w) {
        return w;
    }

    @Override
    public KvStore allocateKv(int layers, int slots, int keyDim, int valueDim, KvType type) {
        return KvCacheMemory.allocate(layers, slots, keyDim, valueDim, type);
    }

    /**
     * Physical memory minus the weights (memory-mapped, they should stay in the page cache) and
     * the Java heap's maximum: what off-heap KV storage can take without swapping.
     */
    @Override
    public long kvMemoryBytes(long weightBytes) {
        long physical = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
                .getTotalMemorySize();
        return Math.max(0, physical - weightBytes - Runtime.getRuntime().maxMemory());
    }

    /**
     * A step's rows on the CPU: the caller's arrays, read in place, and per row the slots of its
     * positions {@code 0 .. position} as an array ({@code slotArrays[e][p] = slots[e].slot(p)}),
     * what attention reads every cached row through: asked of the mappings once per step rather than
     * per layer, head and loop.
     */
    record Rows(int count, int[] tokens, int[] positions, SlotMapping[] slots, int[][] slotArrays) implements StepRows {
    }

    /**
     * Each row's slot array (see {@link Rows}). Consecutive rows with equal mappings (a prompt's
     * tokens) share one, as long as the last of them needs.
     */
    private static int[][] slotArrays(int count, int[] positions, SlotMapping[] slots) {
        int[][] arrays = new int[count][];
        for (int first = 0; first < count; ) {
            int end = first + 1;
            int len = positions[first] + 1;
            while (end < count && slots[end].equals(slots[first])) {
                len = Math.max(len, positions[end] + 1);
                end++;
            }
            int[] a = new int[len];
            for (int p = 0; p < len; p++) {
                a[p] = slots[first].slot(p);
            }
            Arrays.fill(arrays, first, end, a);
            first = end;
        }
        return arrays;
    }

    @Override
    public StepRows rows(int count, int[] tokens, int[] positions, SlotMapping[] slots) {
        if (count < 0 || tokens.length < count || positions.length < count || slots.length < count) {
            throw new IllegalArgumentException(count + " rows, with " + tokens.length + " tokens, "
                    + positions.length + " positions, " + slots.length + " slot mappings");
        }
        return new Rows(count, tokens, positions, slots, slotArrays(count, positions, slots));
    }

    @Override
    public void embed(PreparedWeight table, StepRows rows, Buffer out) {
        WeightMatrix w = weight(table);
        Rows r = rows(rows);
        float[] x = data(out);
        int dim = w.cols();
        for (int e = 0; e < r.count(); e++) {
            w.dequantizeRow(r.tokens()[e], x, e * dim);
        }
    }

    @Override
    public void rmsNorm(Buffer x, Buffer weight, Buffer out, int rows, int width, float eps) {
        float[] in = data(x);
        float[] w = data(weight);
        float[] o = data(out);
        for (int r = 0; r < rows; r++) {
            rmsNorm(in, r * width, w, o, r * width, width, eps);
        }
    }

    /**
     * out = x / sqrt(mean(x^2) + eps) * w, with the sum of squares in double as llama.cpp does.
     * In-place use (out == x, same offset) is allowed.
     */
    static void rmsNorm(float[] x, int xOff, float[] w, float[] out, int outOff, int n, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            ss += xi * xi;
        }
        float mean = (float) (ss / n);
        float scale = 1f / (float) Math.sqrt(mean + eps);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = x[xOff + i] * scale * w[i];
        }
    }

    @Override
    public void matmul(PreparedWeight w, Buffer x, int batch, Buffer out) {
        matmul(weight(w), data(x), 0, batch, data(out), 0);
    }

    @Override
    public void matmulEach(PreparedWeight[] ws, Buffer x, int batch, Buffer[] outs) {
        WeightMatrix[] m = new WeightMatrix[ws.length];
        for (int i = 0; i < ws.length; i++) {
            m[i] = weight(ws[i]);
        }
        float[][] o = new float[outs.length][];
        for (int i = 0; i < outs.length; i++) {
            o[i] = data(outs[i]);
        }
        matmulEach(m, data(x), batch, o);
    }

    @Override
    public void addRows(Buffer x, Buffer bias, int rows) {
        float[] dst = data(x);
        float[] b = data(bias);
        for (int r = 0; r < rows; r++) {
            VectorMath.axpy(1f, b, 0, dst, r * b.length, b.length);
        }
    }

    @Override
    public void add(Buffer dst, Buffer src, int n) {
        VectorMath.axpy(1f, data(src), 0, data(dst), 0, n);
    }

    @Override
    public void rope(Buffer x, StepRows rows, int heads, int headDim, RopeTable rope) {
        float[] v = data(x);
        Rows r = rows(rows);
        int width = heads * headDim;
        for (int e = 0; e < r.count(); e++) {
            rope.apply(v, e * width, heads, headDim, r.positions()[e]);
        }
    }

    @Override
    public void swiglu(Buffer gate, Buffer up, int n) {
        float[] g = data(gate);
        float[] u = data(up);
        pool.parallelFor(n, SWIGLU_GRAIN, (start, end) -> {
            for (int i = start; i < end; i++) {
                float gi = g[i];
                g[i] = gi / (1f + (float) Math.exp(-gi)) * u[i];
            }
        });
    }

    @Override
    public void writeKv(KvStore kv, int layer, StepRows rows, Buffer k, Buffer v) {
        KvCacheMemory mem = kvMemory(kv);
        Rows r = rows(rows);
        float[] ks = data(k);
        float[] vs = data(v);
        int kDim = mem.keyDim();
        int vDim = mem.valueDim();
        for (int e = 0; e < r.count(); e++) {
            mem.write(layer, r.slots()[e].slot(r.positions()[e]), ks, e * kDim, vs, e * vDim);
        }
    }

    @Override
    public void attention(KvStore kv, int layer, StepRows rows, Buffer q, AttentionShape shape, Buffer out) {
        attention.run(kvMemory(kv), layer, rows(rows), data(q), shape, data(out));
    }

    @Override
    public void gatherRows(Buffer src, int[] rows, int count, int width, Buffer dst) {
        float[] s = data(src);
        float[] d = data(dst);
        for (int i = 0; i < count; i++) {
            System.arraycopy(s, rows[i] * width, d, i * width, width);
        }
    }

    private static float[] data(Buffer b) {
        if (b instanceof CpuBuffer c) {
            return c.data();
        }
        throw new IllegalArgumentException("a buffer of backend " + b.backend() + " was passed to the cpu backend");
    }

    private static WeightMatrix weight(PreparedWeight w) {
        if (w instanceof WeightMatrix m) {
            return m;
        }
        throw new IllegalArgumentException("weight '" + w.name() + "' was prepared by another backend ("
                + w.getClass().getSimpleName() + "), not the cpu backend");
    }

    private static KvCacheMemory kvMemory(KvStore kv) {
        if (kv instanceof KvCacheMemory m) {
            return m;
        }
        throw new IllegalArgumentException("a KV store of another backend (" + kv.getClass().getSimpleName()
                + ") was passed to the cpu backend");
    }

    private static Rows rows(StepRows rows) {
        if (rows instanceof Rows r) {
            return r;
        }
        throw new IllegalArgumentException("step rows of another backend (" + rows.getClass().getSimpleName()
                + ") were passed to the cpu backend");
    }

    @Override
    public void close() {
        pool.close();
    }
}
