package ai.sluice.cuda;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.model.KvType;
import ai.sluice.core.model.RopeType;

/**
 * The kernels of {@code sluice_kernels.cu}, one typed method each: every shape and buffer size is
 * checked here, before anything reaches the GPU (a kernel that reads past a buffer faults the whole
 * context), and the grid is chosen here. Launches are asynchronous; sizes are in elements unless a
 * name says bytes. Index contents (tokens, positions, slots, block tables) live on the device and are
 * the caller's to keep in range.
 */
public final class CudaKernels {
    /** Head widths the attention kernel takes (8 elements per lane of a warp). */
    public static final int MAX_HEAD_DIM = 256;
    private static final int ELEMENTWISE_THREADS = 256;
    private static final int MATVEC_THREADS = 128;
    private static final int MATVEC_ROWS_PER_BLOCK = MATVEC_THREADS / 32;
    private static final int MATMUL_TILE = 64;
    private static final int MAX_GRID = 65535;

    private final KernelLauncher launcher;

    public CudaKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    /** {@code out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w} for {@code rows} rows of {@code dim}; in place allowed. */
    public void rmsNorm(DeviceBuffer out, DeviceBuffer x, DeviceBuffer weight, int rows, int dim, float eps) {
        positive("rows", rows);
        positive("dim", dim);
        fits("x", x, 4L * rows * dim);
        fits("out", out, 4L * rows * dim);
        fits("weight", weight, 4L * dim);
        launcher.launch("sluice_rms_norm", grid("rows", rows), 1, ELEMENTWISE_THREADS, out, x, weight, dim, eps);
    }

    /**
     * Rotates {@code heads} heads of {@code headDim} in each of {@code rows} rows, row {@code r} at
     * {@code positions[r]}, with the frequencies of {@link #ropeFrequencies} ({@code ropeDims / 2} doubles).
     */
    public void rope(DeviceBuffer x, DeviceBuffer positions, DeviceBuffer frequencies, int rows, int heads,
            int headDim, int ropeDims, RopeType type) {
        positive("rows", rows);
        positive("heads", heads);
        positive("headDim", headDim);
        if (ropeDims <= 0 || ropeDims % 2 != 0 || ropeDims > headDim) {
            throw new IllegalArgumentException("rope dimensions " + ropeDims + " must be even and within the head width "
                    + headDim);
        }
        fits("x", x, 4L * rows * heads * headDim);
        fits("positions", positions, 4L * rows);
        fits("frequencies", frequencies, 8L * (ropeDims / 2));
        launcher.launch("sluice_rope", grid("rows", rows), 1, 128, x, positions, frequencies, heads, headDim, ropeDims,
                type == RopeType.NEOX ? 1 : 0);
    }

    /**
     * The inverse frequencies core's {@code Rope} turns pair {@code i} by, per position:
     * {@code base^(-2i / dims) / scale / freqFactors[i]}, in double.
     */
    public static double[] ropeFrequencies(int dims, float base, float scale, float[] freqFactors) {
        double[] f = new double[dims / 2];
        for (int i = 0; i < dims / 2; i++) {
            f[i] = Math.pow(base, -2.0 * i / dims) / scale;
            if (freqFactors != null) {
                f[i] /= freqFactors[i];
            }
        }
        return f;
    }

    /** {@code out[i] = silu(gate[i]) * up[i]} for {@code i < n}; out may be gate. */
    public void swiglu(DeviceBuffer out, DeviceBuffer gate, DeviceBuffer up, long n) {
        positive("n", n);
        fits("gate", gate, 4 * n);
        fits("up", up, 4 * n);
        fits("out", out, 4 * n);
        launcher.launch("sluice_swiglu", elementwiseGrid(n), 1, ELEMENTWISE_THREADS, out, gate, up, n);
    }

    /** {@code x[i] += y[i]} for {@code i < n}. */
    public void add(DeviceBuffer x, DeviceBuffer y, long n) {
        positive("n", n);
        fits("x", x, 4 * n);
        fits("y", y, 4 * n);
        launcher.launch("sluice_add", elementwiseGrid(n), 1, ELEMENTWISE_THREADS, x, y, n);
    }

    /**
     * {@code out[r] = row tokens[r]} of an embedding table in GGUF's layout ({@code tableRows x cols}
     * of {@code type}: F32, F16, Q8_0 or Q4_0), dequantized to float, for {@code n} tokens.
     */
    public void embedRows(DeviceBuffer out, DeviceBuffer table, GgmlType type, int tableRows, int cols,
            DeviceBuffer tokens, int n) {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0 && type != GgmlType.Q4_0) {
            throw new IllegalArgumentException("embedding rows of " + type + ": the CUDA kernel takes F32, F16, Q8_0, Q4_0");
        }
        positive("n", n);
        positive("tableRows", tableRows);
        positive("cols", cols);
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("embedding rows of " + cols + " elements are not whole " + type + " blocks");
        }
        long rowBytes = type.byteSize(cols);
        fits("table", table, rowBytes * tableRows);
        fits("tokens", tokens, 4L * n);
        fits("out", out, 4L * n * cols);
        launcher.launch("sluice_embed_rows", grid("tokens", n), 1, ELEMENTWISE_THREADS, out, table, tokens, cols,
                rowBytes, type.id());
    }

    /** {@code x[r][i] += bias[i]} for {@code rows} rows of {@code width}. */
    public void addRows(DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        positive("rows", rows);
        positive("width", width);
        long n = (long) rows * width;
        fits("x", x, 4 * n);
        fits("bias", bias, 4L * width);
        launcher.launch("sluice_add_rows", elementwiseGrid(n), 1, ELEMENTWISE_THREADS, x, bias, width, n);
    }

    /** {@code out[r] = row tokens[r]} of a prepared weight (the token embedding as the products read it). */
    public void embedPrepared(DeviceBuffer out, DeviceWeights table, DeviceBuffer tokens, int n) {
        positive("n", n);
        fits("tokens", tokens, 4L * n);
        fits("out", out, 4L * n * table.cols());
        DeviceBuffer scales = table.scales() != null ? table.scales() : table.quants();
        launcher.launch("sluice_embed_prepared", grid("tokens", n), 1, ELEMENTWISE_THREADS, out, table.quants(), scales,
                tokens, table.cols(), table.type().id());
    }

    /** GGUF's Q8_0/Q4_0 blocks ({@code raw}) to the kernels' quant and scale planes. */
    public void repack(GgmlType type, DeviceBuffer raw, long blocks, DeviceBuffer quants, DeviceBuffer scales) {
        positive("blocks", blocks);
        fits("raw", raw, blocks * type.bytesPerBlock());
        fits("scales", scales, 2 * blocks);
        switch (type) {
            case Q8_0 -> {
                fits("quants", quants, 32 * blocks);
                launcher.launch("sluice_repack_q8_0", elementwiseGrid(blocks), 1, ELEMENTWISE_THREADS, quants, scales,
                        raw, blocks);
            }
            case Q4_0 -> {
                fits("quants", quants, 16 * blocks);
                launcher.launch("sluice_repack_q4_0", elementwiseGrid(blocks), 1, ELEMENTWISE_THREADS, quants, scales,
                        raw, blocks);
            }
            default -> throw new IllegalArgumentException("only Q8_0 and Q4_0 are repacked, not " + type);
        }
    }

    /** x quantized to int8 blocks of 32 (the form the Q8_0/Q4_0 matrix-vector kernels multiply). */
    public record QuantizedVector(DeviceBuffer quants, DeviceBuffer scales, int length) {
        public QuantizedVector {
            if (length <= 0 || length % 32 != 0) {
                throw new IllegalArgumentException("quantized vectors have whole blocks of 32, not " + length);
            }
            if (quants.bytes() < length || scales.bytes() < 4L * (length / 32)) {
                throw new IllegalArgumentException("buffers too small for a quantized vector of " + length);
            }
        }
    }

    /** Quantizes {@code x} ({@code into.length()} floats) into {@code into}. */
    public void quantize(QuantizedVector into, DeviceBuffer x) {
        fits("x", x, 4L * into.length());
        long blocks = into.length() / 32;
        int grid = (int) Math.min(MAX_GRID, (blocks + 7) / 8);
        launcher.launch("sluice_quantize_q8", grid, 1, ELEMENTWISE_THREADS, into.quants(), into.scales(), x, blocks);
    }

    /**
     * {@code out = W x} for every one of {@code w.count()} stacked matrices (outputs stacked too): F16
     * reads {@code x}, Q8_0 and Q4_0 read {@code xq}, which must hold {@code x} quantized.
     */
    public void matvec(DeviceBuffer out, DeviceWeights w, DeviceBuffer x, QuantizedVector xq) {
        matvec(out, w, x, xq, w.count(), false);
    }

    /**
     * {@code out[b] = W x[b]} for {@code b < batch} with the matrix-vector kernels, one entry per
     * grid row (the first of stacked matrices): each output is computed as for a batch of one, so the
     * result does not depend on the batch. Q8_0 and Q4_0 read {@code xq}: all {@code batch x cols}
     * of x quantized.
     */
    public void matvecBatch(DeviceBuffer out, DeviceWeights w, DeviceBuffer x, QuantizedVector xq, int batch) {
        positive("batch", batch);
        matvec(out, w, x, xq, batch, true);
    }

    private void matvec(DeviceBuffer out, DeviceWeights w, DeviceBuffer x, QuantizedVector xq, int ys, boolean batched) {
        if (w.cols() % 32 != 0) {
            throw new IllegalArgumentException("matrix-vector rows of " + w.cols() + " elements: a multiple of 32 is needed");
        }
        if (ys > MAX_GRID) {
            throw new IllegalArgumentException(ys + (batched ? " batch entries" : " stacked matrices") + ": at most "
                    + MAX_GRID);
        }
        fits("out", out, 4L * w.rows() * ys);
        int entries = batched ? ys : 1;
        int blocks = grid("rows", (w.rows() + MATVEC_ROWS_PER_BLOCK - 1) / MATVEC_ROWS_PER_BLOCK);
        int mode = batched ? 1 : 0;
        switch (w.type()) {
            case F16 -> {
                fits("x", x, 4L * w.cols() * entries);
                launcher.launch("sluice_matvec_f16", blocks, ys, MATVEC_THREADS, out, w.quants(), x, w.rows(), w.cols(),
                        mode);
            }
            case Q8_0, Q4_0 -> {
                if (xq == null || xq.length() != w.cols() * entries) {
                    throw new IllegalArgumentException(w.type() + " matrix-vector needs x quantized to " + w.cols() * entries
                            + " elements" + (xq == null ? "" : ", got " + xq.length()));
                }
                launcher.launch(w.type() == GgmlType.Q8_0 ? "sluice_matvec_q8_0" : "sluice_matvec_q4_0", blocks, ys,
                        MATVEC_THREADS, out, w.quants(), w.scales(), xq.quants(), xq.scales(), w.rows(), w.cols(), mode);
            }
            default -> throw new IllegalArgumentException("no matrix-vector kernel for " + w.type());
        }
    }

    /** {@code out[b] = W x[b]} for {@code b < batch} (the first of stacked matrices), in float32. */
    public void matmul(DeviceBuffer out, DeviceWeights w, DeviceBuffer x, int batch) {
        positive("batch", batch);
        fits("x", x, 4L * batch * w.cols());
        fits("out", out, 4L * batch * w.rows());
        int gx = grid("row tiles", (w.rows() + MATMUL_TILE - 1) / MATMUL_TILE);
        int gy = grid("batch tiles", (batch + MATMUL_TILE - 1) / MATMUL_TILE);
        DeviceBuffer scales = w.scales() != null ? w.scales() : w.quants();
        launcher.launch("sluice_matmul", gx, gy, 256, out, w.quants(), scales, x, w.rows(), w.cols(), batch,
                w.type().id());
    }

    /** One layer's KV storage: {@code slots} slots of K ({@code keyDim}) and V ({@code valueDim}) in {@code type}. */
    public record KvLayer(DeviceBuffer keys, DeviceBuffer values, KvType type, int slots, int keyDim, int valueDim) {
        public KvLayer {
            if (slots <= 0 || keyDim <= 0 || valueDim <= 0) {
                throw new IllegalArgumentException("KV layer needs positive sizes, got " + slots + " slots, widths "
                        + keyDim + "/" + valueDim);
            }
            long e = type.bytesPerElement();
            if (keys.bytes() < e * slots * keyDim || values.bytes() < e * slots * valueDim) {
                throw new IllegalArgumentException("KV buffers too small for " + slots + " slots");
            }
        }
    }

    /** Writes entry {@code e}'s K and V rows ({@code k}, {@code v}: n rows) to slot {@code slots[e]} of {@code layer}. */
    public void kvWrite(KvLayer layer, DeviceBuffer k, DeviceBuffer v, DeviceBuffer slots, int n) {
        positive("n", n);
        fits("k", k, 4L * n * layer.keyDim());
        fits("v", v, 4L * n * layer.valueDim());
        fits("slots", slots, 4L * n);
        launcher.launch("sluice_kv_write", grid("entries", n), 1, 128, layer.keys(), layer.values(), k, v, slots,
                layer.keyDim(), layer.valueDim(), layer.type() == KvType.F16 ? 1 : 0);
    }

    /**
     * Where each entry's positions live: entry {@code e}'s position {@code p} is slot
     * {@code blockTables[tableStart[e] + p / blockSize] * blockSize + p % blockSize}
     * ({@code tableEntries} ints in {@code blockTables} altogether).
     */
    public record SlotTables(DeviceBuffer blockTables, DeviceBuffer tableStart, int blockSize, int tableEntries) {
        public SlotTables {
            if (blockSize <= 0) {
                throw new IllegalArgumentException("block size must be positive, got " + blockSize);
            }
            if (blockTables.bytes() < 4L * tableEntries) {
                throw new IllegalArgumentException("block tables buffer too small for " + tableEntries + " entries");
            }
        }
    }

    /**
     * Causal attention for {@code entries} rows of {@code q} ({@code heads x headDim} each), entry
     * {@code e} over positions {@code 0..positions[e]} of its own sequence; writes
     * {@code out[e] (heads x valueHeadDim)}. Grouped-query: head {@code h} reads KV head
     * {@code h / (heads / kvHeads)}.
     */
    public void attention(DeviceBuffer out, DeviceBuffer q, KvLayer layer, DeviceBuffer positions, SlotTables tables,
            int entries, int heads, int kvHeads, int headDim, int valueHeadDim) {
        positive("entries", entries);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " query heads do not split into " + kvHeads + " KV heads");
        }
        if (headDim <= 0 || headDim > MAX_HEAD_DIM || valueHeadDim <= 0 || valueHeadDim > MAX_HEAD_DIM) {
            throw new IllegalArgumentException("head widths " + headDim + "/" + valueHeadDim + ": the CUDA attention takes 1.."
                    + MAX_HEAD_DIM);
        }
        if (layer.keyDim() != kvHeads * headDim || layer.valueDim() != kvHeads * valueHeadDim) {
            throw new IllegalArgumentException("KV layer widths " + layer.keyDim() + "/" + layer.valueDim() + " do not fit "
                    + kvHeads + " KV heads of " + headDim + "/" + valueHeadDim);
        }
        fits("q", q, 4L * entries * heads * headDim);
        fits("out", out, 4L * entries * heads * valueHeadDim);
        fits("positions", positions, 4L * entries);
        fits("tableStart", tables.tableStart(), 4L * entries);
        launcher.launch("sluice_attention", grid("heads", heads), grid("entries", entries), 128, out, q, layer.keys(),
                layer.values(), positions, tables.blockTables(), tables.tableStart(), tables.blockSize(), heads, kvHeads,
                headDim, valueHeadDim, (float) (1.0 / Math.sqrt(headDim)), layer.type() == KvType.F16 ? 1 : 0);
    }

    /** Fills {@code bytes} (a multiple of 8) of {@code buffer} with noise from {@code seed} (benchmark weights). */
    public void fillBytes(DeviceBuffer buffer, long bytes, long seed) {
        positive("bytes", bytes);
        if (bytes % 8 != 0) {
            throw new IllegalArgumentException("fills whole 8-byte words, not " + bytes + " bytes");
        }
        fits("buffer", buffer, bytes);
        launcher.launch("sluice_fill_bytes", elementwiseGrid(bytes / 8), 1, ELEMENTWISE_THREADS, buffer, bytes / 8, seed);
    }

    /** Fills {@code n} halves of {@code buffer} uniformly from {@code [-scale, scale)}. */
    public void fillF16(DeviceBuffer buffer, long n, long seed, float scale) {
        positive("n", n);
        fits("buffer", buffer, 2 * n);
        launcher.launch("sluice_fill_f16", elementwiseGrid(n), 1, ELEMENTWISE_THREADS, buffer, n, seed, scale);
    }

    private static int elementwiseGrid(long n) {
        return (int) Math.min(8192, (n + ELEMENTWISE_THREADS - 1) / ELEMENTWISE_THREADS);
    }

    private static int grid(String what, long blocks) {
        if (blocks > MAX_GRID && !what.equals("rows") && !what.equals("row tiles") && !what.equals("tokens")) {
            throw new IllegalArgumentException(blocks + " " + what + ": a launch takes at most " + MAX_GRID);
        }
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(blocks + " " + what + " is too many for one launch");
        }
        return (int) blocks;
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void fits(String name, DeviceBuffer buffer, long bytes) {
        if (buffer == null) {
            throw new IllegalArgumentException(name + " buffer is missing");
        }
        if (buffer.bytes() < bytes) {
            throw new IllegalArgumentException(name + " buffer holds " + buffer.bytes() + " bytes, the kernel touches "
                    + bytes);
        }
    }
}
