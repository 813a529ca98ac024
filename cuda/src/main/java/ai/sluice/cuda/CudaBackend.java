package ai.sluice.cuda;

import ai.sluice.core.model.KvType;
import ai.sluice.core.model.RopeType;
import ai.sluice.core.model.SlotMapping;
import ai.sluice.core.tensor.AttentionShape;
import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.Buffer;
import ai.sluice.core.tensor.KvStore;
import ai.sluice.core.tensor.PreparedWeight;
import ai.sluice.core.tensor.RopeTable;
import ai.sluice.core.tensor.StepRows;
import ai.sluice.core.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The forward pass on one NVIDIA GPU: {@link Backend}'s ops as the kernels of {@code sluice_kernels.cu}.
 * Activations, weights (uploaded and repacked once at {@link #prepare}) and the KV cache live in
 * device memory; host memory meets the GPU at {@link #rows} (token ids, positions, slot tables),
 * {@link #write}, and {@link #read} (logits, hidden states).
 *
 * <p>First version, written without a GPU to run it on (the device check and the contract test run
 * it where there is one). Products are batch invariant, as the engine needs: Q8_0/Q4_0 weights go
 * through the int8 matrix-vector kernels with x quantized as the CPU quantizes it (so the CUDA and
 * CPU backends round alike), one batch entry per grid row, whatever the batch (slow for long
 * prefills: the weights are read once per entry), F16 likewise through its matrix-vector kernel;
 * F32 weights (and F16 rows that are no multiple of 32) through the tiled fp32 kernel.
 * Attention reads the slot tables {@link #rows} flattens per sequence (block size 1). Single-threaded, like a forward
 * pass; the calls that start a step or move data ({@link #rows}, {@link #allocate}, {@link #prepare},
 * {@link #write}, {@link #read}, {@link #allocateKv}) make the context current on the calling thread,
 * so an engine thread other than the one that opened the backend can drive it.
 */
public final class CudaBackend implements Backend {
    private final CudaContext ctx;
    private final CudaModule module;
    private final CudaKernels kernels;
    private final String name;
    private final Map<RopeTable, DeviceBuffer> ropeFrequencies = new IdentityHashMap<>();
    private CudaStepRows current;
    private CudaKernels.QuantizedVector quantScratch;

    private CudaBackend(CudaContext ctx) {
        this.ctx = ctx;
        CudaModule m;
        try {
            m = CudaModule.load(ctx);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
        this.module = m;
        this.kernels = new CudaKernels(module);
        this.name = "cuda:" + ctx.info().ordinal() + " (" + ctx.info().name() + ")";
    }

    /** GPU {@code ordinal}; {@link CudaUnavailableException} (one line) where there is none or no kernels. */
    public static CudaBackend open(int ordinal) {
        return new CudaBackend(CudaContext.open(ordinal));
    }

    /** GPU {@code ordinal} through {@code driver} (tests: a stand-in driver). */
    static CudaBackend open(CudaDriver driver, int ordinal) {
        return new CudaBackend(CudaContext.open(driver, ordinal));
    }

    public CudaContext context() {
        return ctx;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int threads() {
        return 1;
    }

    // ---- data ----

    /** A {@link Buffer} in device memory. */
    record CudaBuffer(DeviceBuffer memory, int length, String backend) implements Buffer {
    }

    private CudaBuffer own(Buffer b) {
        if (b instanceof CudaBuffer c && c.backend().equals(name)) {
            return c;
        }
        throw new IllegalArgumentException("a buffer of backend " + b.backend() + " was passed to the " + name + " backend");
    }

    @Override
    public Buffer allocate(int floats) {
        if (floats < 0) {
            throw new IllegalArgumentException("a buffer of " + floats + " floats");
        }
        ctx.makeCurrent();
        DeviceBuffer b = ctx.allocate(4L * Math.max(1, floats));
        ctx.driver().memsetD32(b.address(), 0, b.bytes() / 4);
        return new CudaBuffer(b, floats, name);
    }

    @Override
    public void write(float[] src, int srcOff, Buffer dst, int dstOff, int n) {
        CudaBuffer d = own(dst);
        checkRange(d, dstOff, n);
        if (n == 0) {
            return;
        }
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment staging = a.allocate(4L * n, 16);
            MemorySegment.copy(src, srcOff, staging, ValueLayout.JAVA_FLOAT, 0, n);
            ctx.driver().copyToDevice(d.memory().address() + 4L * dstOff, staging, 4L * n);
        }
    }

    @Override
    public void read(Buffer src, int srcOff, float[] dst, int dstOff, int n) {
        CudaBuffer s = own(src);
        checkRange(s, srcOff, n);
        if (n == 0) {
            return;
        }
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment staging = a.allocate(4L * n, 16);
            ctx.driver().copyToHost(staging, s.memory().address() + 4L * srcOff, 4L * n);
            MemorySegment.copy(staging, ValueLayout.JAVA_FLOAT, 0, dst, dstOff, n);
        }
    }

    private static void checkRange(CudaBuffer b, int off, int n) {
        if (off < 0 || n < 0 || (long) off + n > b.length()) {
            throw new IndexOutOfBoundsException("[" + off + ", " + ((long) off + n) + ") of a buffer of " + b.length());
        }
    }

    // ---- weights ----

    /** A weight in device memory, in the kernels' layout. */
    record CudaWeight(String name, DeviceWeights weights, String backend) implements PreparedWeight {
        @Override
        public int rows() {
            return weights.rows();
        }

        @Override
        public int cols() {
            return weights.cols();
        }
    }

    private CudaWeight own(PreparedWeight w) {
        if (w instanceof CudaWeight c && c.backend().equals(name)) {
            return c;
        }
        throw new IllegalArgumentException("weight " + w.name() + " was not prepared by the " + name + " backend");
    }

    @Override
    public PreparedWeight prepare(WeightMatrix w) {
        ctx.makeCurrent();
        try {
            return new CudaWeight(w.name(), DeviceWeights.upload(ctx, kernels, w.type(), w.rows(), w.cols(), w.data()),
                    name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor " + w.name() + ": " + e.getMessage(), e);
        }
    }

    // ---- the KV cache ----

    /** Per layer, K and V storage in device memory. */
    static final class CudaKvStore implements KvStore {
        private final CudaContext ctx;
        private final CudaKernels.KvLayer[] layers;
        private final KvType type;
        private final String backend;
        private boolean closed;

        CudaKvStore(CudaContext ctx, int layers, int slots, int keyDim, int valueDim, KvType type, String backend) {
            this.ctx = ctx;
            this.type = type;
            this.backend = backend;
            this.layers = new CudaKernels.KvLayer[layers];
            long e = type.bytesPerElement();
            try {
                for (int l = 0; l < layers; l++) {
                    this.layers[l] = new CudaKernels.KvLayer(ctx.allocate(e * slots * keyDim),
                            ctx.allocate(e * slots * valueDim), type, slots, keyDim, valueDim);
                }
            } catch (RuntimeException ex) {
                close();
                throw ex;
            }
        }

        CudaKernels.KvLayer layer(int l) {
            return layers[l];
        }

        @Override
        public int layers() {
            return layers.length;
        }

        @Override
        public int slots() {
            return layers[0].slots();
        }

        @Override
        public int keyDim() {
            return layers[0].keyDim();
        }

        @Override
        public int valueDim() {
            return layers[0].valueDim();
        }

        @Override
        public KvType type() {
            return type;
        }

        @Override
        public long byteSize() {
            return (long) layers.length * slots() * (keyDim() + valueDim()) * type.bytesPerElement();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (CudaKernels.KvLayer l : layers) {
                if (l != null) {
                    ctx.free(l.keys());
                    ctx.free(l.values());
                }
            }
        }
    }

    private CudaKvStore own(KvStore kv) {
        if (kv instanceof CudaKvStore c && c.backend.equals(name)) {
            return c;
        }
        throw new IllegalArgumentException("a KV store not made by the " + name + " backend");
    }

    @Override
    public KvStore allocateKv(int layers, int slots, int keyDim, int valueDim, KvType type) {
        if (layers <= 0) {
            throw new IllegalArgumentException("KV store needs layers, got " + layers);
        }
        ctx.makeCurrent();
        return new CudaKvStore(ctx, layers, slots, keyDim, valueDim, type, name);
    }

    /** Free device memory, less a margin for the step's activations and the driver's own. */
    @Override
    public long kvMemoryBytes(long weightBytes) {
        long free = ctx.driver().memoryInfo().free();
        return Math.max(0, free - Math.max(512L << 20, free / 20));
    }

    // ---- one forward step ----

    /** A step's rows on the device: tokens, positions, each row's own slot, and per-sequence slot tables. */
    record CudaStepRows(int count, DeviceBuffer tokens, DeviceBuffer positions, DeviceBuffer ownSlots,
            CudaKernels.SlotTables tables) implements StepRows {
    }

    @Override
    public StepRows rows(int count, int[] tokens, int[] positions, SlotMapping[] slots) {
        if (count <= 0) {
            throw new IllegalArgumentException("a step of " + count + " rows");
        }
        ctx.makeCurrent();
        releaseRows();
        int[] own = new int[count];
        // one slot table per sequence (rows of one sequence share their SlotMapping): slots of 0..max position
        Map<SlotMapping, int[]> sequences = new IdentityHashMap<>(); // mapping -> {start, length}
        int total = 0;
        for (int i = 0; i < count; i++) {
            own[i] = slots[i].slot(positions[i]);
            int[] s = sequences.computeIfAbsent(slots[i], m -> new int[2]);
            s[1] = Math.max(s[1], positions[i] + 1);
        }
        for (int[] s : sequences.values()) {
            s[0] = total;
            total = Math.addExact(total, s[1]);
        }
        int[] flat = new int[total];
        for (Map.Entry<SlotMapping, int[]> e : sequences.entrySet()) {
            int start = e.getValue()[0];
            for (int p = 0; p < e.getValue()[1]; p++) {
                flat[start + p] = e.getKey().slot(p);
            }
        }
        int[] tableStart = new int[count];
        for (int i = 0; i < count; i++) {
            tableStart[i] = sequences.get(slots[i])[0];
        }
        current = new CudaStepRows(count, ctx.upload(java.util.Arrays.copyOf(tokens, count)),
                ctx.upload(java.util.Arrays.copyOf(positions, count)), ctx.upload(own),
                new CudaKernels.SlotTables(ctx.upload(flat), ctx.upload(tableStart), 1, total));
        return current;
    }

    /** Frees the last step's rows, once the work that reads them is done. */
    private void releaseRows() {
        if (current != null) {
            ctx.synchronize();
            ctx.free(current.tokens());
            ctx.free(current.positions());
            ctx.free(current.ownSlots());
            ctx.free(current.tables().blockTables());
            ctx.free(current.tables().tableStart());
            current = null;
        }
    }

    private CudaStepRows own(StepRows rows) {
        if (rows instanceof CudaStepRows r && r == current) {
            return r;
        }
        throw new IllegalArgumentException("step rows not made by the " + name + " backend's last rows() call");
    }

    @Override
    public void embed(PreparedWeight table, StepRows rows, Buffer out) {
        CudaStepRows r = own(rows);
        kernels.embedPrepared(own(out).memory(), own(table).weights(), r.tokens(), r.count());
    }

    @Override
    public void rmsNorm(Buffer x, Buffer weight, Buffer out, int rows, int width, float eps) {
        kernels.rmsNorm(own(out).memory(), own(x).memory(), own(weight).memory(), rows, width, eps);
    }

    /**
     * Q8_0 and Q4_0: x quantized to int8 blocks (as the CPU's int8 kernels quantize it) and multiplied
     * by the matrix-vector kernels, one batch entry per grid row; F16 rows of whole 32-blocks: the F16
     * matrix-vector kernel the same way; F32 and other F16: the tiled fp32 kernel. A weight always
     * takes the same kernel, so each output is computed the same whatever the batch.
     */
    @Override
    public void matmul(PreparedWeight w, Buffer x, int batch, Buffer out) {
        DeviceWeights weights = own(w).weights();
        DeviceBuffer xs = own(x).memory();
        if (weights.type().isQuantized()) {
            CudaKernels.QuantizedVector q = quantized(batch * weights.cols());
            kernels.quantize(q, xs);
            kernels.matvecBatch(own(out).memory(), weights, xs, q, batch);
        } else if (weights.type() == ai.sluice.core.gguf.GgmlType.F16 && weights.cols() % 32 == 0) {
            kernels.matvecBatch(own(out).memory(), weights, xs, null, batch);
        } else {
            kernels.matmul(own(out).memory(), weights, xs, batch);
        }
    }

    /** Scratch for quantized activations of {@code length} elements, grown as needed. */
    private CudaKernels.QuantizedVector quantized(int length) {
        if (quantScratch == null || quantScratch.length() < length) {
            if (quantScratch != null) {
                ctx.synchronize();
                ctx.free(quantScratch.quants());
                ctx.free(quantScratch.scales());
            }
            int grown = Math.max(length, quantScratch == null ? 0 : quantScratch.length() * 2);
            quantScratch = new CudaKernels.QuantizedVector(ctx.allocate(grown), ctx.allocate(4L * (grown / 32)), grown);
        }
        return quantScratch.length() == length ? quantScratch
                : new CudaKernels.QuantizedVector(quantScratch.quants(), quantScratch.scales(), length);
    }

    @Override
    public void matmulEach(PreparedWeight[] ws, Buffer x, int batch, Buffer[] outs) {
        if (ws.length != outs.length) {
            throw new IllegalArgumentException(ws.length + " matrices for " + outs.length + " outputs");
        }
        for (int i = 0; i < ws.length; i++) {
            matmul(ws[i], x, batch, outs[i]);
        }
    }

    @Override
    public void addRows(Buffer x, Buffer bias, int rows) {
        kernels.addRows(own(x).memory(), own(bias).memory(), rows, bias.length());
    }

    @Override
    public void add(Buffer dst, Buffer src, int n) {
        kernels.add(own(dst).memory(), own(src).memory(), n);
    }

    @Override
    public void rope(Buffer x, StepRows rows, int heads, int headDim, RopeTable rope) {
        CudaStepRows r = own(rows);
        DeviceBuffer freq = ropeFrequencies.get(rope);
        if (freq == null) {
            double[] f = new double[rope.dims() / 2];
            for (int i = 0; i < f.length; i++) {
                f[i] = rope.invFreq(i);
            }
            freq = ctx.upload(f);
            ropeFrequencies.put(rope, freq);
        }
        kernels.rope(own(x).memory(), r.positions(), freq, r.count(), heads, headDim, rope.dims(),
                rope.adjacentPairs() ? RopeType.NORMAL : RopeType.NEOX);
    }

    @Override
    public void swiglu(Buffer gate, Buffer up, int n) {
        DeviceBuffer g = own(gate).memory();
        kernels.swiglu(g, g, own(up).memory(), n);
    }

    @Override
    public void writeKv(KvStore kv, int layer, StepRows rows, Buffer k, Buffer v) {
        CudaStepRows r = own(rows);
        kernels.kvWrite(own(kv).layer(layer), own(k).memory(), own(v).memory(), r.ownSlots(), r.count());
    }

    @Override
    public void attention(KvStore kv, int layer, StepRows rows, Buffer q, AttentionShape shape, Buffer out) {
        CudaStepRows r = own(rows);
        kernels.attention(own(out).memory(), own(q).memory(), own(kv).layer(layer), r.positions(), r.tables(), r.count(),
                shape.heads(), shape.kvHeads(), shape.headDim(), shape.valueHeadDim());
    }

    @Override
    public void gatherRows(Buffer src, int[] rows, int count, int width, Buffer dst) {
        CudaBuffer s = own(src);
        CudaBuffer d = own(dst);
        checkRange(d, 0, count * width);
        for (int i = 0; i < count; i++) {
            checkRange(s, rows[i] * width, width);
            ctx.driver().copyOnDevice(d.memory().address() + 4L * i * width, s.memory().address() + 4L * rows[i] * width,
                    4L * width);
        }
    }

    @Override
    public void close() {
        try {
            releaseRows();
        } finally {
            module.close();
            ctx.close();
        }
    }
}
