package ai.sluice.core.tensor;


/**
 * The compute seam: everything the forward pass does to its data, on data the backend owns. CPU
 * now ({@link CpuBackend}); an accelerator backend implements the same operations on device
 * memory, and the model ({@code core.model.ForwardPass}) and the engine run unchanged on it.
 *
 * <p>What a backend owns: the activations ({@link Buffer}, from {@link #allocate}), the weights as it
 * multiplies them ({@link PreparedWeight}, from {@link #prepare} once at load), and the KV cache
 * ({@link KvStore}, from {@link #allocateKv}, sized by {@link #kvMemoryBytes}). Host memory meets
 * the backend only at the edges: token ids, positions and slot mappings in ({@link #rows}), logits
 * and hidden states out ({@link #read}), small model vectors in ({@link #upload}). A backend refuses
 * another backend's buffers, weights and KV stores with an {@link IllegalArgumentException}.
 *
 * <p>Buffers are flat and row-major: an op over {@code rows} rows of {@code width} reads row
 * {@code r} at {@code [r * width, (r + 1) * width)}, starting at element 0. Every op gives each row
 * a result that depends only on that row (and, for attention, on its own sequence's cached K/V):
 * batch invariance, which the engine relies on.
 *
 * <p>Ops run in call order as seen from the host: a {@link #read} returns what the ops before it
 * wrote. Called from one thread at a time per buffer set (a forward pass is single-threaded; the
 * kernels inside are parallel).
 */
public interface Backend extends AutoCloseable {

    /** What computes here, for logs: {@code cpu}, {@code cuda:0 (NVIDIA H100)}. */
    String name();

    /** Host threads the backend computes with (the CPU's kernel threads). */
    int threads();

    // ---- data ----

    /** A new buffer of {@code floats} zeros. */
    Buffer allocate(int floats);

    /** A new buffer holding a copy of {@code values} (norm weights, biases: uploaded once at load). */
    default Buffer upload(float[] values) {
        Buffer b = allocate(values.length);
        write(values, 0, b, 0, values.length);
        return b;
    }

    /**
     * Gives {@code b}'s memory back; {@code b} must not be used afterwards. Buffers not released
     * are freed with the backend ({@link #close}). The CPU's are garbage collected: a no-op there.
     */
    default void release(Buffer b) {
    }

    /** Copies {@code src[srcOff .. srcOff + n)} from the host into {@code dst[dstOff ..]}. */
    void write(float[] src, int srcOff, Buffer dst, int dstOff, int n);

    /** Copies {@code src[srcOff .. srcOff + n)} out to the host, into {@code dst[dstOff ..]}. */
    void read(Buffer src, int srcOff, float[] dst, int dstOff, int n);

    // ---- weights ----

    /**
     * The form of {@code w} this backend multiplies, made once at load: the CPU keeps the mapped
     * matrix as it is; an accelerator uploads it (and may repack it). Preparing the same matrix
     * twice (tied embeddings) is the caller's to avoid.
     */
    PreparedWeight prepare(WeightMatrix w);

    // ---- the KV cache ----

    /** A KV store of {@code slots} slots for {@code layers} layers, K rows of {@code keyDim}, V rows of {@code valueDim}. */
    KvStore allocateKv(int layers, int slots, int keyDim, int valueDim, KvType type);

    /**
     * Bytes a KV cache may take here, for a model whose weights take {@code weightBytes}: on the
     * CPU what is left of physical memory after the (mapped) weights and the Java heap; on an
     * accelerator the free device memory (the weights are already on it).
     */
    long kvMemoryBytes(long weightBytes);

    // ---- one forward step ----

    /**
     * The rows of one step: row {@code i} is token {@code tokens[i]} at {@code positions[i]} of the
     * sequence whose K/V {@code slots[i]} places (position {@code p} in slot {@code slots[i].slot(p)}).
     * The arrays are read now or by this step's ops, not after the next call.
     */
    StepRows rows(int count, int[] tokens, int[] positions, SlotMapping[] slots);

    /** {@code out[i] = table[token_i]}: rows of the token embedding, decoded to floats. */
    void embed(PreparedWeight table, StepRows rows, Buffer out);

    /**
     * RMSNorm of each of {@code rows} rows of {@code width}: {@code out = x / sqrt(mean(x^2) + eps) * weight}
     * ({@code weight} holds {@code width} floats; one head's width for the per-head q/k norms). In
     * place ({@code out == x}) is allowed.
     */
    void rmsNorm(Buffer x, Buffer weight, Buffer out, int rows, int width, float eps);

    /**
     * {@code out[b][r] = W[r] . x[b]} for every row {@code r} of {@code w} and {@code b < batch}. Each
     * weight row is read once per call whatever the batch, and each output element is computed the
     * same way whatever the batch (batch invariance).
     */
    void matmul(PreparedWeight w, Buffer x, int batch, Buffer out);

    /**
     * Several matrices over the same input, {@code outs[i] = ws[i] x} as {@link #matmul} would give
     * it, in one pass (the input prepared once): a layer's q, k, v projections, its gate and up.
     */
    void matmulEach(PreparedWeight[] ws, Buffer x, int batch, Buffer[] outs);

    /** {@code x[r] += bias} for each of {@code rows} rows of {@code bias.length()} (projection biases). */
    void addRows(Buffer x, Buffer bias, int rows);

    /** {@code dst[i] += src[i]} for {@code i < n} (residual connections). */
    void add(Buffer dst, Buffer src, int n);

    /** Rotates {@code heads} heads of {@code headDim} per row of {@code x} by the row's position. */
    void rope(Buffer x, StepRows rows, int heads, int headDim, RopeTable rope);

    /** {@code gate[i] = silu(gate[i]) * up[i]} for {@code i < n} (SwiGLU; {@code silu(g) = g / (1 + e^-g)}). */
    void swiglu(Buffer gate, Buffer up, int n);

    /** Stores row {@code i}'s K (of {@code kv.keyDim()}) and V (of {@code kv.valueDim()}) at the slot of its position. */
    void writeKv(KvStore kv, int layer, StepRows rows, Buffer k, Buffer v);

    /**
     * Causal attention of each row over positions {@code 0 .. position} of its own sequence, read
     * from {@code kv} through the row's slot mapping (K/V of this step's rows written first, by
     * {@link #writeKv}): per head, {@code softmax(q . K^T / sqrt(headDim)) V}. {@code q} holds
     * {@code shape.queryDim()} floats per row, {@code out} receives {@code shape.outputDim()}.
     */
    void attention(KvStore kv, int layer, StepRows rows, Buffer q, AttentionShape shape, Buffer out);

    /** {@code dst[i] = src[rows[i]]} for {@code i < count}, rows of {@code width} (the rows that want logits). */
    void gatherRows(Buffer src, int[] rows, int count, int width, Buffer dst);

    /** Frees what the backend holds (its threads, its device context). */
    @Override
    void close();
}
