package ai.sluice.core.model;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.WeightMatrix;
import java.util.Optional;

/**
 * A loaded BERT-family encoder with llama.cpp's tensor names. {@code bert} (bge, MiniLM, e5, ...):
 * token, position and token-type embeddings with a LayerNorm, then per layer biased Q/K/V/output
 * projections, a post-attention LayerNorm, a GELU feed-forward and a post-layer LayerNorm (every
 * LayerNorm with weight and bias). {@code nomic-bert} (nomic-embed-text): the same block with no
 * position embeddings but NeoX RoPE on Q and K, one fused {@code attn_qkv} projection, and a SwiGLU
 * feed-forward ({@code ffn_gate}, {@code ffn_up}, {@code ffn_down}); biases only where the file has
 * them. Attention is bidirectional, so a sequence runs whole, never in chunks: see
 * {@link BertEncoder}. Immutable and shareable.
 */
public final class BertModel {
    /** The encoder architectures this graph runs. */
    public static final String ARCHITECTURE = "bert";
    public static final String NOMIC_ARCHITECTURE = "nomic-bert";

    /**
     * The numbers of the graph.
     *
     * @param dim hidden size
     * @param layers encoder blocks
     * @param heads attention heads (no grouped-query attention in BERT)
     * @param ffn feed-forward width
     * @param contextLength trained positions (the position embedding's rows)
     * @param layerNormEps {@code bert.attention.layer_norm_epsilon}
     * @param pooling {@code bert.pooling_type}, when declared
     * @param architecture {@code bert} or {@code nomic-bert}
     */
    public record Config(int dim, int layers, int heads, int ffn, int contextLength, float layerNormEps,
                         Optional<Pooling> pooling, String architecture) {
        public int headDim() {
            return dim / heads;
        }
    }

    record Norm(float[] weight, float[] bias) {
    }

    /**
     * One block. Either {@code wq}/{@code wk}/{@code wv} or the fused {@code wqkv} (rows: Q, then K,
     * then V) is set; {@code gate} is set for a SwiGLU feed-forward; a null bias is none.
     */
    record Layer(WeightMatrix wq, float[] bq, WeightMatrix wk, float[] bk, WeightMatrix wv, float[] bv,
                 WeightMatrix wqkv, float[] bqkv,
                 WeightMatrix wo, float[] bo, Norm attnOutNorm, WeightMatrix up, float[] upBias, WeightMatrix gate,
                 WeightMatrix down, float[] downBias, Norm layerOutNorm) {
    }

    private final Config config;
    private final CpuBackend backend;
    private final WeightMatrix tokenEmbedding;
    private final WeightMatrix positionEmbedding;
    private final Rope rope;
    private final float[] tokenType0;
    private final Norm embeddingNorm;
    private final Layer[] layers;

    private BertModel(Config config, CpuBackend backend, WeightMatrix tokenEmbedding, WeightMatrix positionEmbedding,
                      Rope rope, float[] tokenType0, Norm embeddingNorm, Layer[] layers) {
        this.rope = rope;
        this.config = config;
        this.backend = backend;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.tokenType0 = tokenType0;
        this.embeddingNorm = embeddingNorm;
        this.layers = layers;
    }

    /** Whether {@code file} holds an encoder this class loads (rather than a decoder). */
    public static boolean isBert(GgufFile file) {
        String arch = file.metadata().findString("general.architecture").orElse("");
        return ARCHITECTURE.equals(arch) || NOMIC_ARCHITECTURE.equals(arch);
    }

    /** Binds the weights of {@code file}; a missing tensor or a shape that does not fit names it. */
    public static BertModel load(GgufFile file, CpuBackend backend) {
        GgufMetadata md = file.metadata();
        String arch = md.getString("general.architecture");
        boolean nomic = NOMIC_ARCHITECTURE.equals(arch);
        if (!ARCHITECTURE.equals(arch) && !nomic) {
            throw new UnsupportedModelException("architecture '" + arch + "' is not a BERT encoder (supported: "
                    + ARCHITECTURE + ", " + NOMIC_ARCHITECTURE + ")");
        }
        String p = arch + ".";
        int dim = md.getInt(p + "embedding_length");
        int heads = md.getInt(p + "attention.head_count");
        if (heads <= 0 || dim % heads != 0) {
            throw new UnsupportedModelException("hidden size " + dim + " does not split into " + heads + " heads");
        }
        if (md.getBool(p + "attention.causal", false)) {
            throw new UnsupportedModelException("a causal BERT is not supported (" + p + "attention.causal is true)");
        }
        WeightMatrix embd = WeightMatrix.of(file, "token_embd.weight");
        // bert learns absolute positions; nomic-bert rotates Q and K instead (RoPE)
        WeightMatrix pos = nomic ? null : WeightMatrix.of(file, "position_embd.weight");
        Config config = new Config(dim, md.getInt(p + "block_count"), heads, md.getInt(p + "feed_forward_length"),
                md.getInt(p + "context_length", pos != null ? pos.rows() : 2048),
                md.getFloat(p + "attention.layer_norm_epsilon", 1e-12f), Pooling.declaredBy(md, arch), arch);
        expect(embd, embd.rows(), dim);
        Rope rope = nomic ? new Rope(RopeType.NEOX, md.getInt(p + "rope.dimension_count", dim / heads),
                md.getFloat(p + "rope.freq_base", 10000f), 1f, null) : null;
        if (pos != null && (expect(pos, pos.rows(), dim).rows() < config.contextLength())) {
            throw new UnsupportedModelException("position_embd.weight has " + pos.rows() + " rows but the context is "
                    + config.contextLength());
        }
        // token types are all 0 ("sentence A"), as llama.cpp's graph has them
        float[] type0 = new float[dim];
        if (file.hasTensor("token_types.weight")) {
            expect(WeightMatrix.of(file, "token_types.weight"), -1, dim).dequantizeRow(0, type0, 0);
        }
        Norm embNorm = norm(file, "token_embd_norm", dim);
        Layer[] layers = new Layer[config.layers()];
        int ff = config.ffn();
        for (int l = 0; l < layers.length; l++) {
            String b = "blk." + l + ".";
            if (nomic) {
                layers[l] = new Layer(null, null, null, null, null, null,
                        expect(WeightMatrix.of(file, b + "attn_qkv.weight"), 3 * dim, dim),
                        optionalVector(file, b + "attn_qkv.bias", 3 * dim),
                        expect(WeightMatrix.of(file, b + "attn_output.weight"), dim, dim),
                        optionalVector(file, b + "attn_output.bias", dim),
                        norm(file, b + "attn_output_norm", dim),
                        expect(WeightMatrix.of(file, b + "ffn_up.weight"), ff, dim), optionalVector(file, b + "ffn_up.bias", ff),
                        expect(WeightMatrix.of(file, b + "ffn_gate.weight"), ff, dim),
                        expect(WeightMatrix.of(file, b + "ffn_down.weight"), dim, ff),
                        optionalVector(file, b + "ffn_down.bias", dim),
                        norm(file, b + "layer_output_norm", dim));
                continue;
            }
            layers[l] = new Layer(
                    expect(WeightMatrix.of(file, b + "attn_q.weight"), dim, dim), vector(file, b + "attn_q.bias", dim),
                    expect(WeightMatrix.of(file, b + "attn_k.weight"), dim, dim), vector(file, b + "attn_k.bias", dim),
                    expect(WeightMatrix.of(file, b + "attn_v.weight"), dim, dim), vector(file, b + "attn_v.bias", dim),
                    null, null,
                    expect(WeightMatrix.of(file, b + "attn_output.weight"), dim, dim),
                    vector(file, b + "attn_output.bias", dim),
                    norm(file, b + "attn_output_norm", dim),
                    expect(WeightMatrix.of(file, b + "ffn_up.weight"), ff, dim), vector(file, b + "ffn_up.bias", ff),
                    null,
                    expect(WeightMatrix.of(file, b + "ffn_down.weight"), dim, ff), vector(file, b + "ffn_down.bias", dim),
                    norm(file, b + "layer_output_norm", dim));
        }
        return new BertModel(config, backend, embd, pos, rope, type0, embNorm, layers);
    }

    private static WeightMatrix expect(WeightMatrix w, int rows, int cols) {
        if ((rows >= 0 && w.rows() != rows) || w.cols() != cols) {
            throw new UnsupportedModelException("tensor '" + w.name() + "' is [" + w.rows() + " x " + w.cols()
                    + "], the model's metadata needs [" + (rows >= 0 ? rows : "any") + " x " + cols + "]");
        }
        return w;
    }

    private static float[] vector(GgufFile file, String name, int length) {
        if (!file.hasTensor(name)) {
            throw new UnsupportedModelException("tensor '" + name + "' is missing");
        }
        WeightMatrix w = WeightMatrix.of(file, name);
        if ((long) w.rows() * w.cols() != length) {
            throw new UnsupportedModelException("tensor '" + name + "' has " + (long) w.rows() * w.cols()
                    + " elements, the model's metadata needs " + length);
        }
        return w.toFloatArray();
    }

    private static float[] optionalVector(GgufFile file, String name, int length) {
        return file.hasTensor(name) ? vector(file, name, length) : null;
    }

    private static Norm norm(GgufFile file, String name, int dim) {
        return new Norm(vector(file, name + ".weight", dim), vector(file, name + ".bias", dim));
    }

    public Config config() {
        return config;
    }

    public int vocabSize() {
        return tokenEmbedding.rows();
    }

    /** Scratch state for encoding batches of whole sequences; one per thread. */
    public BertEncoder newEncoder() {
        return new BertEncoder(this);
    }

    CpuBackend backend() {
        return backend;
    }

    WeightMatrix tokenEmbedding() {
        return tokenEmbedding;
    }

    /** Absolute position embeddings, or null (nomic-bert). */
    WeightMatrix positionEmbedding() {
        return positionEmbedding;
    }

    /** RoPE on Q and K, or null (bert). */
    Rope rope() {
        return rope;
    }

    float[] tokenType0() {
        return tokenType0;
    }

    Norm embeddingNorm() {
        return embeddingNorm;
    }

    Layer layer(int l) {
        return layers[l];
    }
}
