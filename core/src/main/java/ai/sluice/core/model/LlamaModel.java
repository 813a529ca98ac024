package ai.sluice.core.model;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.Buffer;
import ai.sluice.core.tensor.KvStore;
import ai.sluice.core.tensor.PreparedWeight;
import ai.sluice.core.tensor.WeightMatrix;

/**
 * A loaded Llama-family model (llama, mistral, qwen2, qwen3): configuration plus weights as its
 * {@link Backend} prepared them at load (on the CPU, pointing into the memory-mapped GGUF file).
 * Immutable and shareable across threads; per-call state lives in a {@link ForwardPass}. The file
 * must stay open while the model is used.
 */
public final class LlamaModel {
    private final ModelConfig config;
    private final Backend backend;
    private final PreparedWeight tokenEmbedding;
    private final LayerWeights[] layers;
    private final Buffer outputNorm;
    private final PreparedWeight output;
    private final Rope rope;

    private LlamaModel(ModelConfig config, Backend backend, PreparedWeight tokenEmbedding, LayerWeights[] layers,
                       Buffer outputNorm, PreparedWeight output, Rope rope) {
        this.config = config;
        this.backend = backend;
        this.tokenEmbedding = tokenEmbedding;
        this.layers = layers;
        this.outputNorm = outputNorm;
        this.output = output;
        this.rope = rope;
    }

    /**
     * Binds the weights of {@code file} (llama.cpp tensor names), each prepared once by
     * {@code backend}. A missing tensor, a shape that does not match the metadata or an unsupported
     * architecture/type fails with a message naming it.
     */
    public static LlamaModel load(GgufFile file, Backend backend) {
        ModelConfig config = ModelConfig.of(file);
        Architecture arch = config.architecture();
        int dim = config.dim();
        WeightMatrix embd = WeightMatrix.of(file, "token_embd.weight");
        int vocab = config.vocabSize() > 0 ? config.vocabSize() : embd.rows();
        expect(embd, vocab, dim);
        LayerWeights[] layers = new LayerWeights[config.layers()];
        int ff = config.shape().feedForwardLength();
        for (int l = 0; l < layers.length; l++) {
            String p = "blk." + l + ".";
            WeightMatrix gate = WeightMatrix.of(file, p + "ffn_gate.weight");
            layers[l] = new LayerWeights(
                    vector(file, backend, p + "attn_norm.weight", dim),
                    matrix(file, backend, p + "attn_q.weight", config.queryDim(), dim),
                    matrix(file, backend, p + "attn_k.weight", config.keyDim(), dim),
                    matrix(file, backend, p + "attn_v.weight", config.valueDim(), dim),
                    matrix(file, backend, p + "attn_output.weight", dim, config.heads() * config.valueHeadDim()),
                    arch.hasQkvBias() ? vector(file, backend, p + "attn_q.bias", config.queryDim()) : null,
                    arch.hasQkvBias() ? vector(file, backend, p + "attn_k.bias", config.keyDim()) : null,
                    arch.hasQkvBias() ? vector(file, backend, p + "attn_v.bias", config.valueDim()) : null,
                    arch.hasQkNorm() ? vector(file, backend, p + "attn_q_norm.weight", config.headDim()) : null,
                    arch.hasQkNorm() ? vector(file, backend, p + "attn_k_norm.weight", config.headDim()) : null,
                    vector(file, backend, p + "ffn_norm.weight", dim),
                    backend.prepare(expect(gate, ff > 0 ? ff : gate.rows(), dim)),
                    matrix(file, backend, p + "ffn_up.weight", gate.rows(), dim),
                    matrix(file, backend, p + "ffn_down.weight", dim, gate.rows()));
        }
        Buffer outputNorm = vector(file, backend, "output_norm.weight", dim);
        PreparedWeight embdPrepared = backend.prepare(embd);
        // Tied embeddings: without output.weight the logits reuse the token embedding matrix.
        PreparedWeight output = file.hasTensor("output.weight")
                ? matrix(file, backend, "output.weight", vocab, dim) : embdPrepared;
        float[] freqFactors = file.hasTensor("rope_freqs.weight")
                ? WeightMatrix.of(file, "rope_freqs.weight").toFloatArray() : null;
        Rope rope = new Rope(config.ropeType(), config.ropeDims(), config.ropeBase(), config.ropeScale(), freqFactors);
        return new LlamaModel(config, backend, embdPrepared, layers, outputNorm, output, rope);
    }

    private static WeightMatrix expect(WeightMatrix w, int rows, int cols) {
        if (w.rows() != rows || w.cols() != cols) {
            throw new UnsupportedModelException("tensor '" + w.name() + "' is [" + w.rows() + " x " + w.cols()
                    + "], the model's metadata needs [" + rows + " x " + cols + "]");
        }
        return w;
    }

    private static PreparedWeight matrix(GgufFile file, Backend backend, String name, int rows, int cols) {
        return backend.prepare(expect(WeightMatrix.of(file, name), rows, cols));
    }

    private static Buffer vector(GgufFile file, Backend backend, String name, int length) {
        return backend.upload(vector(file, name, length));
    }

    private static float[] vector(GgufFile file, String name, int length) {
        WeightMatrix w = WeightMatrix.of(file, name);
        if ((long) w.rows() * w.cols() != length) {
            throw new UnsupportedModelException("tensor '" + name + "' has " + (long) w.rows() * w.cols()
                    + " elements, the model's metadata needs " + length);
        }
        return w.toFloatArray();
    }

    public ModelConfig config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    public int vocabSize() {
        return output.rows();
    }

    /** A KV store on the model's backend: {@code slots} slots for every layer. */
    public KvStore allocateKv(int slots, KvType type) {
        return backend.allocateKv(config.layers(), slots, config.keyDim(), config.valueDim(), type);
    }

    /** Bytes a KV cache may take on the model's backend beside this model's weights. */
    public long kvMemoryBytes() {
        return backend.kvMemoryBytes(config.shape().weightBytes());
    }

    /** Scratch state for batched forward passes of up to {@code maxBatch} entries per internal step. */
    public ForwardPass newForwardPass(int maxBatch) {
        return new ForwardPass(this, maxBatch);
    }

    /** A single-sequence session with its own contiguous KV cache of {@code contextLength} slots. */
    public Generator newGenerator(int contextLength, KvType kvType) {
        return new Generator(this, contextLength, kvType);
    }

    PreparedWeight tokenEmbedding() {
        return tokenEmbedding;
    }

    LayerWeights layer(int l) {
        return layers[l];
    }

    Buffer outputNorm() {
        return outputNorm;
    }

    PreparedWeight output() {
        return output;
    }

    Rope rope() {
        return rope;
    }
}
