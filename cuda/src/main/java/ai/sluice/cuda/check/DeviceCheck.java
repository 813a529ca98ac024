package ai.sluice.cuda.check;

import ai.sluice.core.format.RowCodec;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.BackendContract;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.cuda.CudaBackend;
import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.tensor.KvType;
import ai.sluice.core.model.RopeType;
import ai.sluice.cuda.CudaContext;
import ai.sluice.cuda.CudaKernels;
import ai.sluice.cuda.CudaModule;
import ai.sluice.cuda.CudaUnavailableException;
import ai.sluice.cuda.DeviceBuffer;
import ai.sluice.cuda.DeviceInfo;
import ai.sluice.cuda.DeviceWeights;
import ai.sluice.cuda.Fatbin;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The device check: on a GPU, runs every kernel on fresh random inputs against {@link CpuReference}
 * (outputs poisoned with NaN first, so an element a kernel skips fails the check), then times the
 * matrix-vector kernels on the Llama 1b and 8b shapes in GB/s and as a share of the card's memory
 * roofline. Without a GPU it prints the one-line reason and exits 2.
 *
 * <p>{@code DeviceCheck [--out DIR] [--seed N] [--quick] [--models DIR]}: the log and a TSV of the
 * timings go to --out; {@code --quick} skips the large shapes; {@code --emulated} (for the CPU emulator
 * of the kernels that the tests build) uses small shapes and times nothing; {@code --decode 1b} ends with
 * single-sequence decode through {@link CudaBackend} on synthetic models of that preset's shape (Q4_0,
 * Q8_0, F16: tokens/s and weight bytes per second against the roofline); {@code --models} names a folder with
 * stories260K.gguf (and its q8_0/q4_0 derivatives): each is run through {@link BackendContract} with
 * the {@link CudaBackend} against the CPU backend (same greedy tokens, logits within
 * {@link BackendContract#ACCELERATOR_TOLERANCE}). Exit status: 0 all passed, 1 a check failed, 2 no GPU.
 */
public final class DeviceCheck {
    /** Decode shapes (rows x cols) of Llama 3.2 1B-class and Llama 3 8B models. */
    static final int[][] MATVEC_SHAPES = {{2048, 2048}, {5632, 2048}, {4096, 4096}, {14336, 4096}};
    static final GgmlType[] WEIGHT_TYPES = {GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0};
    /** Each timed launch streams about this many bytes of weights: several times any L2. */
    private static final long BENCH_BYTES = 1L << 30;

    private final CudaContext ctx;
    private final CudaKernels kernels;
    private final CudaModule module;
    private final Report report;
    private final SplittableRandom random;
    private final List<DeviceBuffer> scratch = new ArrayList<>();
    /** Run by the CPU emulator of the kernels (tests): small shapes, no timings. */
    private final boolean emulated;

    private DeviceCheck(CudaContext ctx, CudaModule module, Report report, long seed, boolean emulated) {
        this.emulated = emulated;
        this.ctx = ctx;
        this.module = module;
        this.kernels = new CudaKernels(module);
        this.report = report;
        this.random = new SplittableRandom(seed);
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs the check; returns the exit status {@link #main} ends with. */
    static int run(String[] args) throws java.io.IOException {
        Path out = null;
        long seed = System.nanoTime();
        boolean quick = false;
        boolean emulated = false;
        String decode = null;
        Path models = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--models" -> models = Path.of(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--quick" -> quick = true;
                case "--emulated" -> emulated = true;
                case "--decode" -> decode = args[++i];
                default -> {
                    System.err.println("usage: DeviceCheck [--out DIR] [--seed N] [--quick] [--emulated] [--decode PRESET] [--models DIR]");
                    return 64;
                }
            }
        }
        Report report = new Report();
        if (out != null) {
            report.liveTo(out);
        }
        report.line("sluice cuda device check (java %s, seed %d)", Runtime.version(), seed);
        int status;
        try (CudaContext ctx = CudaContext.open(0)) {
            report.line("%s", ctx.info());
            report.line("fatbin: %s", Fatbin.entries(Fatbin.load()));
            try (CudaModule module = CudaModule.load(ctx)) {
                DeviceCheck check = new DeviceCheck(ctx, module, report, seed, emulated);
                check.correctness(quick);
                if (models != null) {
                    check.contract(models);
                }
                if (!emulated) {
                    check.benchmarks(quick);
                    if (decode != null) {
                        check.decode(ai.sluice.core.synth.SynthConfig.preset(decode));
                    }
                }
            }
            report.summary();
            status = report.failures() == 0 ? 0 : 1;
        } catch (CudaUnavailableException e) {
            report.line("device check: %s", e.getMessage());
            status = 2;
        }
        if (out != null) {
            report.write(out);
        }
        return status;
    }

    // ---- correctness ------------------------------------------------------------------------------

    private void correctness(boolean quick) {
        run("rms_norm 7x4096", () -> rmsNorm(7, 4096));
        run("rms_norm 3x64", () -> rmsNorm(3, 64));
        run("rope normal 5x32x128", () -> rope(5, 32, 128, 128, RopeType.NORMAL));
        run("rope neox 5x8x64 (48 dims)", () -> rope(5, 8, 64, 48, RopeType.NEOX));
        int elements = emulated ? 10_007 : 100_003;
        run("swiglu " + elements, () -> swiglu(elements));
        run("add " + elements, () -> add(elements));
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            run("embed_rows " + t + " 9 of 100x256", () -> embedRows(t, 100, 256, 9));
        }
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            run("embed_prepared " + t + " 9 of 100x256", () -> embedPrepared(t, 100, 256, 9));
        }
        run("add_rows 7x100", () -> addRows(7, 100));
        run("quantize_q8 4096 (bits)", () -> quantize(4096));
        int[][] matvecShapes = emulated ? new int[][] {{64, 256}, {36, 2048}} : MATVEC_SHAPES;
        for (int[] shape : matvecShapes) {
            if (quick && shape[0] * (long) shape[1] > 4096L * 4096) {
                continue;
            }
            for (GgmlType t : WEIGHT_TYPES) {
                run("matvec " + t + " " + shape[0] + "x" + shape[1], () -> matvec(t, shape[0], shape[1]));
            }
        }
        int batchRows = emulated ? 40 : 2048;
        for (GgmlType t : WEIGHT_TYPES) {
            run("matvec batch " + t + " " + batchRows + "x2048 batch 5", () -> matvecBatch(t, batchRows, 2048, 5));
        }
        int mmRows = emulated ? 130 : 1000;
        int mmCols = emulated ? 256 : 2048;
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            run("matmul " + t + " " + mmRows + "x" + mmCols + " batch 67", () -> matmul(t, mmRows, mmCols, 67));
            run("matmul " + t + " 96x64 batch 1", () -> matmul(t, 96, 64, 1));
        }
        // stories260K's ffn_down: rows of 172, no multiple of 32 (F32 in the file, F16 in its derived q8_0/q4_0)
        run("matmul F32 64x172 batch 5", () -> matmul(GgmlType.F32, 64, 172, 5));
        run("matmul F16 64x172 batch 70", () -> matmul(GgmlType.F16, 64, 172, 70));
        for (KvType kv : KvType.values()) {
            run("kv_write+attention " + kv + " 32/8x128", () -> attention(kv, 32, 8, 128, 16));
            run("kv_write+attention " + kv + " 8/8x8 b1", () -> attention(kv, 8, 8, 8, 1));
        }
    }

    /** Runs one check; a failure (a CUDA error, a bad shape) is reported and the next check still runs. */
    private void run(String name, Check body) {
        try {
            body.run();
        } catch (RuntimeException e) {
            report.failed(name, e);
        } finally {
            for (DeviceBuffer b : scratch) {
                try {
                    ctx.free(b);
                } catch (RuntimeException ignored) {
                    // a faulted context fails every call; the check is already reported failed
                }
            }
            scratch.clear();
        }
    }

    @FunctionalInterface
    private interface Check {
        void run();
    }

    private DeviceBuffer keep(DeviceBuffer b) {
        scratch.add(b);
        return b;
    }

    private DeviceBuffer output(long bytes) {
        DeviceBuffer b = keep(ctx.allocate(bytes));
        ctx.poison(b);
        return b;
    }

    private float[] uniform(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    private void rmsNorm(int rows, int dim) {
        float[] x = uniform(rows * dim, 3f);
        float[] w = uniform(dim, 1.5f);
        DeviceBuffer dx = keep(ctx.upload(x));
        DeviceBuffer dw = keep(ctx.upload(w));
        DeviceBuffer out = output(4L * rows * dim);
        kernels.rmsNorm(out, dx, dw, rows, dim, 1e-5f);
        float[] got = ctx.downloadFloats(out, rows * dim);
        report.check("rms_norm " + rows + "x" + dim, CpuReference.relativeError(got, CpuReference.rmsNorm(x, w, rows, dim,
                1e-5f)), 1e-5, "");
        // in place, as the model uses it for q/k norms
        kernels.rmsNorm(dx, dx, dw, rows, dim, 1e-5f);
        report.check("rms_norm in place " + rows + "x" + dim,
                CpuReference.relativeError(ctx.downloadFloats(dx, rows * dim), CpuReference.rmsNorm(x, w, rows, dim, 1e-5f)),
                1e-5, "");
    }

    private void rope(int rows, int heads, int headDim, int ropeDims, RopeType type) {
        float[] x = uniform(rows * heads * headDim, 2f);
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) {
            positions[r] = r == 0 ? 0 : random.nextInt(32768);
        }
        double[] freq = CudaKernels.ropeFrequencies(ropeDims, 500000f, 1f, null);
        DeviceBuffer dx = keep(ctx.upload(x));
        kernels.rope(dx, keep(ctx.upload(positions)), keep(ctx.upload(freq)), rows, heads, headDim, ropeDims, type);
        report.check("rope " + type + " " + rows + "x" + heads + "x" + headDim,
                CpuReference.relativeError(ctx.downloadFloats(dx, x.length),
                        CpuReference.rope(x, positions, freq, heads, headDim, ropeDims, type)),
                1e-5, "positions up to " + Arrays.stream(positions).max().orElse(0));
    }

    private void swiglu(int n) {
        float[] g = uniform(n, 8f);
        float[] u = uniform(n, 2f);
        DeviceBuffer out = output(4L * n);
        kernels.swiglu(out, keep(ctx.upload(g)), keep(ctx.upload(u)), n);
        report.check("swiglu " + n, CpuReference.relativeError(ctx.downloadFloats(out, n), CpuReference.swiglu(g, u)),
                1e-6, "");
    }

    private void add(int n) {
        float[] x = uniform(n, 4f);
        float[] y = uniform(n, 4f);
        DeviceBuffer dx = keep(ctx.upload(x));
        kernels.add(dx, keep(ctx.upload(y)), n);
        report.check("add " + n, CpuReference.relativeError(ctx.downloadFloats(dx, n), CpuReference.add(x, y)), 1e-7, "");
    }

    /** A random table of {@code type} rows, {@code n} tokens into it (the last row first) and their decoded rows. */
    private record EmbeddingCase(byte[] table, int[] tokens, double[] want) {
    }

    private EmbeddingCase embeddingCase(GgmlType type, int tableRows, int cols, int n) {
        RowCodec codec = RowCodec.of(type);
        int rowBytes = (int) type.byteSize(cols);
        byte[] table = new byte[rowBytes * tableRows];
        float[] decoded = new float[tableRows * cols];
        for (int r = 0; r < tableRows; r++) {
            codec.encode(uniform(cols, 1f), 0, cols, table, r * rowBytes);
            codec.decode(table, r * rowBytes, cols, decoded, r * cols);
        }
        int[] tokens = new int[n];
        double[] want = new double[n * cols];
        for (int i = 0; i < n; i++) {
            tokens[i] = i == 0 ? tableRows - 1 : random.nextInt(tableRows);
            for (int j = 0; j < cols; j++) {
                want[i * cols + j] = decoded[tokens[i] * cols + j];
            }
        }
        return new EmbeddingCase(table, tokens, want);
    }

    private void embedRows(GgmlType type, int tableRows, int cols, int n) {
        EmbeddingCase c = embeddingCase(type, tableRows, cols, n);
        byte[] table = c.table();
        int[] tokens = c.tokens();
        double[] want = c.want();
        DeviceBuffer out = output(4L * n * cols);
        kernels.embedRows(out, keep(ctx.upload(table)), type, tableRows, cols, keep(ctx.upload(tokens)), n);
        report.check("embed_rows " + type, CpuReference.relativeError(ctx.downloadFloats(out, n * cols), want), 0,
                "exact: the same decode");
    }

    private void embedPrepared(GgmlType type, int tableRows, int cols, int n) {
        EmbeddingCase c = embeddingCase(type, tableRows, cols, n);
        byte[] table = c.table();
        int[] tokens = c.tokens();
        double[] want = c.want();
        DeviceWeights w = DeviceWeights.upload(ctx, kernels, type, tableRows, cols, MemorySegment.ofArray(table));
        keep(w.quants());
        if (w.scales() != null) {
            keep(w.scales());
        }
        DeviceBuffer out = output(4L * n * cols);
        kernels.embedPrepared(out, w, keep(ctx.upload(tokens)), n);
        report.check("embed_prepared " + type, CpuReference.relativeError(ctx.downloadFloats(out, n * cols), want), 0,
                "exact: repacked, then the same decode");
    }

    private void addRows(int rows, int width) {
        float[] x = uniform(rows * width, 4f);
        float[] bias = uniform(width, 1f);
        double[] want = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            want[i] = (double) x[i] + bias[i % width];
        }
        DeviceBuffer dx = keep(ctx.upload(x));
        kernels.addRows(dx, keep(ctx.upload(bias)), rows, width);
        report.check("add_rows " + rows + "x" + width, CpuReference.relativeError(ctx.downloadFloats(dx, x.length), want),
                1e-7, "");
    }

    private void quantize(int n) {
        float[] x = uniform(n, 5f);
        x[7] = 0f;
        Arrays.fill(x, 64, 96, 0f); // an all-zero block: scale 0, quants 0
        CpuReference.Quantized want = CpuReference.quantize(x);
        CudaKernels.QuantizedVector q = new CudaKernels.QuantizedVector(output(n), output(4L * n / 32), n);
        kernels.quantize(q, keep(ctx.upload(x)));
        byte[] quants = ctx.downloadBytes(q.quants(), n);
        float[] scales = ctx.downloadFloats(q.scales(), n / 32);
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            if (quants[i] != want.quants()[i]) {
                wrong++;
            }
        }
        for (int b = 0; b < n / 32; b++) {
            if (Float.floatToRawIntBits(scales[b]) != Float.floatToRawIntBits(want.scales()[b])) {
                wrong++;
            }
        }
        report.check("quantize_q8 " + n, wrong, 0, wrong + " quants or scales differ from Int8Activations' rounding");
    }

    /** Random weights of {@code type} in GGUF's layout, with the reference products against x. */
    private record Matrix(byte[] raw, double[] product, double[] productFloatX) {
    }

    private static Matrix matrix(GgmlType type, int rows, int cols, long seed, float[] x, float[] xUsed) {
        RowCodec codec = RowCodec.of(type);
        int rowBytes = (int) type.byteSize(cols);
        byte[] raw = new byte[Math.multiplyExact(rowBytes, rows)];
        double[] product = new double[rows];
        double[] productFloatX = new double[rows];
        IntStream.range(0, rows).parallel().forEach(r -> {
            SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + r);
            float[] w = new float[cols];
            for (int i = 0; i < cols; i++) {
                w[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            codec.encode(w, 0, cols, raw, r * rowBytes);
            codec.decode(raw, r * rowBytes, cols, w, 0);
            product[r] = CpuReference.dot(w, 0, xUsed, 0, cols);
            productFloatX[r] = CpuReference.dot(w, 0, x, 0, cols);
        });
        return new Matrix(raw, product, productFloatX);
    }

    private void matvec(GgmlType type, int rows, int cols) {
        float[] x = uniform(cols, 1f);
        CpuReference.Quantized xq = type == GgmlType.F16 ? null : CpuReference.quantize(x);
        Matrix m = matrix(type, rows, cols, random.nextLong(), x, xq == null ? x : xq.dequantized());
        DeviceWeights w = DeviceWeights.upload(ctx, kernels, type, rows, cols, MemorySegment.ofArray(m.raw()));
        keep(w.quants());
        if (w.scales() != null) {
            keep(w.scales());
        }
        DeviceBuffer dx = keep(ctx.upload(x));
        CudaKernels.QuantizedVector q = new CudaKernels.QuantizedVector(keep(ctx.allocate(cols)),
                keep(ctx.allocate(4L * cols / 32)), cols);
        if (type != GgmlType.F16) {
            kernels.quantize(q, dx);
        }
        DeviceBuffer out = output(4L * rows);
        kernels.matvec(out, w, dx, q);
        float[] got = ctx.downloadFloats(out, rows);
        report.check("matvec " + type + " " + rows + "x" + cols, CpuReference.relativeError(got, m.product()), 1e-5,
                type == GgmlType.F16 ? "" : String.format(java.util.Locale.ROOT,
                        "(vs float x: %.2e, the int8 activations' own error)",
                        CpuReference.relativeError(got, m.productFloatX())));
    }

    /** The matrix-vector kernels over a batch (the CUDA backend's Q8_0/Q4_0 products): each entry as alone. */
    private void matvecBatch(GgmlType type, int rows, int cols, int batch) {
        float[] x = uniform(batch * cols, 1f);
        float[] xUsed = type == GgmlType.F16 ? x : CpuReference.quantize(x).dequantized();
        Matrix m = matrix(type, rows, cols, random.nextLong(), new float[cols], new float[cols]);
        RowCodec codec = RowCodec.of(type);
        int rowBytes = (int) type.byteSize(cols);
        double[] want = new double[batch * rows];
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] w = new float[cols];
            codec.decode(m.raw(), r * rowBytes, cols, w, 0);
            for (int b = 0; b < batch; b++) {
                want[b * rows + r] = CpuReference.dot(w, 0, xUsed, b * cols, cols);
            }
        });
        DeviceWeights w = DeviceWeights.upload(ctx, kernels, type, rows, cols, MemorySegment.ofArray(m.raw()));
        keep(w.quants());
        if (w.scales() != null) {
            keep(w.scales());
        }
        DeviceBuffer dx = keep(ctx.upload(x));
        CudaKernels.QuantizedVector q = new CudaKernels.QuantizedVector(keep(ctx.allocate((long) batch * cols)),
                keep(ctx.allocate(4L * batch * cols / 32)), batch * cols);
        if (type != GgmlType.F16) {
            kernels.quantize(q, dx);
        }
        DeviceBuffer out = output(4L * batch * rows);
        kernels.matvecBatch(out, w, dx, q, batch);
        report.check("matvec batch " + type + " " + rows + "x" + cols + " b" + batch,
                CpuReference.relativeError(ctx.downloadFloats(out, batch * rows), want), 1e-5, "");
    }

    private void matmul(GgmlType type, int rows, int cols, int batch) {
        float[] x = uniform(batch * cols, 1f);
        long seed = random.nextLong();
        Matrix m = matrix(type, rows, cols, seed, new float[cols], new float[cols]);
        // reference: decode the weights once, then every entry
        RowCodec codec = RowCodec.of(type);
        int rowBytes = (int) type.byteSize(cols);
        double[] want = new double[batch * rows];
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] w = new float[cols];
            codec.decode(m.raw(), r * rowBytes, cols, w, 0);
            for (int b = 0; b < batch; b++) {
                want[b * rows + r] = CpuReference.dot(w, 0, x, b * cols, cols);
            }
        });
        DeviceWeights w = DeviceWeights.upload(ctx, kernels, type, rows, cols, MemorySegment.ofArray(m.raw()));
        keep(w.quants());
        if (w.scales() != null) {
            keep(w.scales());
        }
        DeviceBuffer out = output(4L * batch * rows);
        kernels.matmul(out, w, keep(ctx.upload(x)), batch);
        report.check("matmul " + type + " " + rows + "x" + cols + " b" + batch,
                CpuReference.relativeError(ctx.downloadFloats(out, batch * rows), want), 1e-5, "");
    }

    /**
     * Three sequences in a paged cache with shuffled blocks: a prefill chunk of the first (positions
     * 690..699), one decode step of the second (position 32) and the third's first token. Every
     * earlier position's K/V is written first, as earlier steps would have; then this step's.
     */
    private void attention(KvType kvType, int heads, int kvHeads, int headDim, int blockSize) {
        int keyDim = kvHeads * headDim;
        int[] lengths = emulated ? new int[] {40, 33, 1} : new int[] {700, 33, 1};
        int[] firstEntryPosition = {lengths[0] - 10, 32, 0};
        int slotsNeeded = 0;
        for (int len : lengths) {
            slotsNeeded += (len + blockSize - 1) / blockSize * blockSize;
        }
        int slots = slotsNeeded + 5 * blockSize;
        int blocks = slots / blockSize;
        // shuffled block ids, handed out to the sequences in turn
        int[] order = IntStream.range(0, blocks).toArray();
        for (int i = blocks - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[][] tables = new int[lengths.length][];
        int next = 0;
        for (int s = 0; s < lengths.length; s++) {
            tables[s] = Arrays.copyOfRange(order, next, next + (lengths[s] + blockSize - 1) / blockSize);
            next += tables[s].length;
        }
        // K/V of every position of every sequence, as the cache will hold them
        float[][][] k = new float[lengths.length][][];
        float[][][] v = new float[lengths.length][][];
        List<Integer> writeSlots = new ArrayList<>();
        List<float[]> writeK = new ArrayList<>();
        List<float[]> writeV = new ArrayList<>();
        for (int s = 0; s < lengths.length; s++) {
            k[s] = new float[lengths[s]][];
            v[s] = new float[lengths[s]][];
            for (int p = 0; p < lengths[s]; p++) {
                float[] kp = uniform(keyDim, 2f);
                float[] vp = uniform(keyDim, 2f);
                writeSlots.add(tables[s][p / blockSize] * blockSize + p % blockSize);
                writeK.add(kp);
                writeV.add(vp);
                k[s][p] = stored(kp, kvType);
                v[s][p] = stored(vp, kvType);
            }
        }
        int n = writeSlots.size();
        float[] kAll = new float[n * keyDim];
        float[] vAll = new float[n * keyDim];
        for (int i = 0; i < n; i++) {
            System.arraycopy(writeK.get(i), 0, kAll, i * keyDim, keyDim);
            System.arraycopy(writeV.get(i), 0, vAll, i * keyDim, keyDim);
        }
        long e = kvType.bytesPerElement();
        CudaKernels.KvLayer layer = new CudaKernels.KvLayer(output(e * slots * keyDim), output(e * slots * keyDim), kvType,
                slots, keyDim, keyDim);
        kernels.kvWrite(layer, keep(ctx.upload(kAll)), keep(ctx.upload(vAll)),
                keep(ctx.upload(writeSlots.stream().mapToInt(Integer::intValue).toArray())), n);
        // the cache holds exactly the stored rows (f16: the same rounding as Float.floatToFloat16)
        int wrongSlots = 0;
        float[] cacheK = downloadCache(layer.keys(), kvType, slots * keyDim);
        for (int i = 0; i < n; i++) {
            int slot = writeSlots.get(i);
            float[] want = stored(writeK.get(i), kvType);
            for (int j = 0; j < keyDim; j++) {
                if (Float.floatToRawIntBits(cacheK[slot * keyDim + j]) != Float.floatToRawIntBits(want[j])) {
                    wrongSlots++;
                    break;
                }
            }
        }
        report.check("kv_write " + kvType + " " + n + " rows", wrongSlots, 0, wrongSlots + " rows differ");

        // this step's entries
        List<int[]> entries = new ArrayList<>(); // {sequence, position}
        for (int p = firstEntryPosition[0]; p < lengths[0]; p++) {
            entries.add(new int[] {0, p});
        }
        entries.add(new int[] {1, firstEntryPosition[1]});
        entries.add(new int[] {2, firstEntryPosition[2]});
        int count = entries.size();
        float[] q = uniform(count * heads * headDim, 2f);
        int[] positions = new int[count];
        int[] tableStart = new int[count];
        int[] flatTables = new int[Arrays.stream(tables).mapToInt(t -> t.length).sum()];
        int[] sequenceStart = new int[lengths.length];
        int at = 0;
        for (int s = 0; s < lengths.length; s++) {
            sequenceStart[s] = at;
            System.arraycopy(tables[s], 0, flatTables, at, tables[s].length);
            at += tables[s].length;
        }
        double[] want = new double[count * heads * headDim];
        int group = heads / kvHeads;
        for (int i = 0; i < count; i++) {
            int s = entries.get(i)[0];
            positions[i] = entries.get(i)[1];
            tableStart[i] = sequenceStart[s];
            for (int h = 0; h < heads; h++) {
                double[] o = CpuReference.attention(q, (i * heads + h) * headDim, k[s], v[s], h / group * headDim,
                        h / group * headDim, positions[i] + 1, headDim, headDim);
                System.arraycopy(o, 0, want, (i * heads + h) * headDim, headDim);
            }
        }
        DeviceBuffer out = output(4L * count * heads * headDim);
        CudaKernels.SlotTables st = new CudaKernels.SlotTables(keep(ctx.upload(flatTables)), keep(ctx.upload(tableStart)),
                blockSize, flatTables.length);
        kernels.attention(out, keep(ctx.upload(q)), layer, keep(ctx.upload(positions)), st, count, heads, kvHeads, headDim,
                headDim);
        report.check("attention " + kvType + " " + heads + "/" + kvHeads + "x" + headDim + " bs" + blockSize,
                CpuReference.relativeError(ctx.downloadFloats(out, count * heads * headDim), want), 1e-5,
                count + " entries, lengths up to " + lengths[0]);
    }

    private static float[] stored(float[] row, KvType type) {
        if (type == KvType.F32) {
            return row.clone();
        }
        float[] r = new float[row.length];
        for (int i = 0; i < row.length; i++) {
            r[i] = Float.float16ToFloat(Float.floatToFloat16(row[i]));
        }
        return r;
    }

    private float[] downloadCache(DeviceBuffer cache, KvType type, int elements) {
        if (type == KvType.F32) {
            return ctx.downloadFloats(cache, elements);
        }
        byte[] b = ctx.downloadBytes(cache, 2 * elements);
        float[] f = new float[elements];
        for (int i = 0; i < elements; i++) {
            f[i] = Float.float16ToFloat((short) ((b[2 * i] & 0xFF) | (b[2 * i + 1] << 8)));
        }
        return f;
    }

    // ---- the backend on real models -------------------------------------------------------------

    /** {@link BackendContract} on each stories260K file found in {@code models}: CUDA against the CPU. */
    private void contract(Path models) {
        String[] files = {"stories260K.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf"};
        for (String file : files) {
            Path path = models.resolve(file);
            if (!java.nio.file.Files.exists(path)) {
                report.line("SKIP contract %s: not in %s", file, models);
                continue;
            }
            for (KvType kv : KvType.values()) {
                run("contract " + file + " kv " + kv, () -> contract(path, BackendContract.Scenario.DEFAULT.withKvType(kv)));
            }
        }
    }

    private void contract(Path file, BackendContract.Scenario scenario) {
        try (GgufFile f = GgufFile.open(file);
                CpuBackend cpu = new CpuBackend(new KernelPool(4), KernelChoice.JAVA);
                CudaBackend cuda = CudaBackend.open(0)) {
            long t0 = System.nanoTime();
            BackendContract.Report r = BackendContract.compare(LlamaModel.load(f, cpu), LlamaModel.load(f, cuda), scenario);
            List<String> problems = r.problems(BackendContract.ACCELERATOR_TOLERANCE);
            report.check("contract " + file.getFileName() + " kv " + scenario.kvType(),
                    r.tokenMismatches().isEmpty() ? Math.max(r.maxLogitDiff(), r.maxHiddenDiff()) : Double.NaN,
                    BackendContract.ACCELERATOR_TOLERANCE,
                    String.format(java.util.Locale.ROOT, "abs diff: logits %.2e, hidden %.2e; %d logit rows; %d token "
                            + "mismatches; %.1f s%s", r.maxLogitDiff(), r.maxHiddenDiff(), r.logitsCompared(),
                            r.tokenMismatches().size(), (System.nanoTime() - t0) / 1e9,
                            problems.isEmpty() ? "" : "; " + String.join(" | ", problems.subList(0, Math.min(3, problems.size())))));
        }
        ctx.makeCurrent();
    }

    // ---- timings ------------------------------------------------------------------------------

    private void benchmarks(boolean quick) {
        DeviceInfo info = ctx.info();
        report.line("");
        report.line("== timings on %s (roofline %.2f TB/s); medians of CUDA-event-timed launches ==", info.name(),
                info.rooflineBytesPerSecond() / 1e12);
        run("copy bandwidth", () -> copyBandwidth());
        for (int[] shape : MATVEC_SHAPES) {
            if (quick && shape[0] * (long) shape[1] > 4096L * 4096) {
                continue;
            }
            for (GgmlType t : WEIGHT_TYPES) {
                run("time matvec " + t + " " + shape[0] + "x" + shape[1], () -> timeMatvec(t, shape[0], shape[1]));
            }
        }
        for (GgmlType t : WEIGHT_TYPES) {
            run("time matmul " + t, () -> timeMatmul(t, 4096, 4096, 512));
        }
    }

    /**
     * Single-sequence decode through the whole backend on synthetic models shaped like {@code config}
     * (1b: TinyLlama-1.1B)
     * (core's SyntheticLlama, written to a temporary file): a 16-token prompt, then 64 timed steps;
     * every weight byte is read once per token, so weight bytes x tokens/s against the roofline is the
     * figure issue 23 asks for (target >= 70%).
     */
    private void decode(ai.sluice.core.synth.SynthConfig config) {
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.F16}) {
            run("decode " + config.name() + " " + type, () -> decode(config, type));
        }
    }

    private void decode(ai.sluice.core.synth.SynthConfig config, GgmlType type) {
        Path file;
        try {
            file = java.nio.file.Files.createTempFile("sluice-decode-" + config.name(), ".gguf");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            long t0 = System.nanoTime();
            ai.sluice.core.synth.SyntheticLlama.Result written = ai.sluice.core.synth.SyntheticLlama.write(file, config,
                    type, 42);
            double writeSeconds = (System.nanoTime() - t0) / 1e9;
            try (GgufFile f = GgufFile.open(file); CudaBackend cuda = CudaBackend.open(0)) {
                LlamaModel model = LlamaModel.load(f, cuda);
                try (ai.sluice.core.model.Generator g = model.newGenerator(256, KvType.F16)) {
                    int[] prompt = new int[16];
                    for (int i = 0; i < prompt.length; i++) {
                        prompt[i] = 1 + i * 7 % (config.vocab() - 1);
                    }
                    long p0 = System.nanoTime();
                    float[] logits = g.prompt(prompt);
                    double prefill = (System.nanoTime() - p0) / 1e9;
                    int token = argmax(logits);
                    for (int i = 0; i < 16; i++) { // warm-up: the JIT compiles the host side of a step
                        token = argmax(g.next(token));
                    }
                    int steps = 64;
                    long d0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        token = argmax(g.next(token));
                    }
                    double seconds = (System.nanoTime() - d0) / 1e9;
                    double tokensPerSecond = steps / seconds;
                    // the bytes a token reads: every tensor once, except a separate token embedding (one row)
                    double bytesPerToken = f.tensorBytes() - (f.hasTensor("output.weight")
                            ? f.tensor("token_embd.weight").byteSize() : 0);
                    double gbs = bytesPerToken * tokensPerSecond / 1e9;
                    report.timing(new Report.Timing("decode", type.name(), config.name(), "1 sequence, whole model",
                            1e6 / tokensPerSecond, gbs, 100 * gbs * 1e9 / ctx.info().rooflineBytesPerSecond(),
                            String.format(java.util.Locale.ROOT, "%.1f tok/s; %.2f GB read per token; prefill 16 tokens %.1f ms; "
                                    + "file %.2f GB written in %.0f s", tokensPerSecond, bytesPerToken / 1e9, prefill * 1e3,
                                    written.fileBytes() / 1e9, writeSeconds)));
                    report.line("decode %s: last token %d", type, token);
                }
            }
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException ignored) {
                // a temporary file
            }
            ctx.makeCurrent();
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The measured ceiling: a device-to-device copy, counting bytes read and written. */
    private void copyBandwidth() {
        long bytes = BENCH_BYTES;
        DeviceBuffer a = keep(ctx.allocate(bytes));
        DeviceBuffer b = keep(ctx.allocate(bytes));
        kernels.fillBytes(a, bytes, 1);
        double micros = timeMedian(5, () -> ctx.driver().copyOnDevice(b.address(), a.address(), bytes));
        double gbs = 2.0 * bytes / (micros * 1e-6) / 1e9;
        report.timing(new Report.Timing("memcpy", "-", "1 GiB", "device to device", micros, gbs,
                100 * gbs * 1e9 / ctx.info().rooflineBytesPerSecond(), "bytes read + written"));
    }

    private void timeMatvec(GgmlType type, int rows, int cols) {
        long perMatrix = DeviceWeights.quantBytes(type, rows, cols) + DeviceWeights.scaleBytes(type, rows, cols);
        int copies = (int) Math.max(4, (BENCH_BYTES + perMatrix - 1) / perMatrix);
        DeviceBuffer quants = keep(ctx.allocate(copies * DeviceWeights.quantBytes(type, rows, cols)));
        DeviceBuffer scales = type == GgmlType.F16 ? null
                : keep(ctx.allocate(copies * DeviceWeights.scaleBytes(type, rows, cols)));
        if (type == GgmlType.F16) {
            kernels.fillF16(quants, copies * (long) rows * cols, 7, 1f);
        } else {
            kernels.fillBytes(quants, copies * DeviceWeights.quantBytes(type, rows, cols), 7);
            kernels.fillF16(scales, copies * (long) rows * cols / 32, 8, 0.01f);
        }
        DeviceWeights all = new DeviceWeights(type, rows, cols, copies, quants, scales);
        float[] x = uniform(cols, 1f);
        DeviceBuffer dx = keep(ctx.upload(x));
        CudaKernels.QuantizedVector q = new CudaKernels.QuantizedVector(keep(ctx.allocate(cols)),
                keep(ctx.allocate(4L * cols / 32)), cols);
        kernels.quantize(q, dx);
        DeviceBuffer out = keep(ctx.allocate(4L * rows * copies));
        String shape = rows + "x" + cols;
        double roof = ctx.info().rooflineBytesPerSecond();
        // 1) all copies in one launch: the kernel's own bandwidth, no launch gaps
        double stacked = timeMedian(15, () -> kernels.matvec(out, all, dx, q));
        double gbs = copies * (double) perMatrix / (stacked * 1e-6) / 1e9;
        report.timing(new Report.Timing("matvec", type.name(), shape, "stacked x" + copies, stacked / copies, gbs,
                100 * gbs * 1e9 / roof, String.format(java.util.Locale.ROOT, "%.1f MB per matrix", perMatrix / 1e6)));
        // 2) one launch per matrix, rotating through the copies (so no matrix is in L2): decode as the
        //    engine would launch it, launch gaps included
        List<DeviceWeights> singles = new ArrayList<>();
        for (int c = 0; c < copies; c++) {
            singles.add(new DeviceWeights(type, rows, cols, 1,
                    quants.slice(c * DeviceWeights.quantBytes(type, rows, cols), DeviceWeights.quantBytes(type, rows, cols)),
                    scales == null ? null : scales.slice(c * DeviceWeights.scaleBytes(type, rows, cols),
                            DeviceWeights.scaleBytes(type, rows, cols))));
        }
        double each = timeMedian(5, () -> {
            for (DeviceWeights w : singles) {
                kernels.matvec(out, w, dx, q);
            }
        }) / copies;
        double gbsEach = perMatrix / (each * 1e-6) / 1e9;
        report.timing(new Report.Timing("matvec", type.name(), shape, "one launch per matrix", each, gbsEach,
                100 * gbsEach * 1e9 / roof, ""));
        if (type != GgmlType.F16) {
            double quantize = timeMedian(15, () -> kernels.quantize(q, dx));
            report.timing(new Report.Timing("quantize", "f32", "1x" + cols, "x to int8 blocks", quantize,
                    (cols * 4.0 + cols + cols / 8.0) / (quantize * 1e-6) / 1e9, 0, "once per input vector"));
        }
    }

    private void timeMatmul(GgmlType type, int rows, int cols, int batch) {
        DeviceBuffer quants = keep(ctx.allocate(DeviceWeights.quantBytes(type, rows, cols)));
        DeviceBuffer scales = type == GgmlType.F16 ? null : keep(ctx.allocate(DeviceWeights.scaleBytes(type, rows, cols)));
        if (type == GgmlType.F16) {
            kernels.fillF16(quants, (long) rows * cols, 9, 1f);
        } else {
            kernels.fillBytes(quants, DeviceWeights.quantBytes(type, rows, cols), 9);
            kernels.fillF16(scales, (long) rows * cols / 32, 10, 0.01f);
        }
        DeviceWeights w = new DeviceWeights(type, rows, cols, 1, quants, scales);
        DeviceBuffer x = keep(ctx.upload(uniform(batch * cols, 1f)));
        DeviceBuffer out = keep(ctx.allocate(4L * batch * rows));
        double micros = timeMedian(9, () -> kernels.matmul(out, w, x, batch));
        double tflops = 2.0 * rows * cols * batch / (micros * 1e-6) / 1e12;
        report.timing(new Report.Timing("matmul", type.name(), rows + "x" + cols, "batch " + batch, micros, 0, 0,
                String.format(java.util.Locale.ROOT, "%.1f TFLOP/s (fp32 FMA, no tensor cores)", tflops)));
    }

    /** Median microseconds of {@code body} over {@code reps} event-timed runs, after two warm-ups. */
    private double timeMedian(int reps, Runnable body) {
        long start = ctx.driver().eventCreate(0);
        long end = ctx.driver().eventCreate(0);
        try {
            body.run();
            body.run();
            ctx.synchronize();
            double[] t = new double[reps];
            for (int i = 0; i < reps; i++) {
                ctx.driver().eventRecord(start, module.stream());
                body.run();
                ctx.driver().eventRecord(end, module.stream());
                ctx.driver().eventSynchronize(end);
                t[i] = ctx.driver().eventElapsedMillis(start, end) * 1000.0;
            }
            ctx.synchronize();
            Arrays.sort(t);
            return t[reps / 2];
        } finally {
            ctx.driver().eventDestroy(start);
            ctx.driver().eventDestroy(end);
        }
    }
}
