package ai.sluice.core.model;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufMetadata;

/**
 * Everything the forward pass needs besides the weights: the {@link ModelShape} plus the
 * numerics of the architecture.
 *
 * @param shape sizes (width, layers, heads, vocab, ...)
 * @param architecture the graph to run
 * @param ropeType adjacent-pair or half-split rotation
 * @param ropeBase {@code {arch}.rope.freq_base} (default 10000)
 * @param ropeDims rotated elements per head, {@code {arch}.rope.dimension_count} (default: the head width)
 * @param ropeScale linear position scaling factor, {@code {arch}.rope.scaling.factor} (1 = none)
 * @param rmsEps {@code {arch}.attention.layer_norm_rms_epsilon}
 */
public record ModelConfig(ModelShape shape, Architecture architecture, RopeType ropeType, float ropeBase,
                          int ropeDims, float ropeScale, float rmsEps) {

    public ModelConfig {
        if (shape.headCount() <= 0 || shape.headCountKv() <= 0 || shape.headCount() % shape.headCountKv() != 0) {
            throw new UnsupportedModelException("head counts " + shape.headCount() + " / " + shape.headCountKv()
                    + " (query / key-value) are not a valid grouped-query layout");
        }
        if (ropeDims <= 0 || ropeDims > shape.keyLength() || ropeDims % 2 != 0) {
            throw new UnsupportedModelException("RoPE dimension count " + ropeDims
                    + " must be even and at most the head width " + shape.keyLength());
        }
        if (!(ropeScale > 0f)) {
            throw new UnsupportedModelException("RoPE scaling factor must be > 0, got " + ropeScale);
        }
    }

    /** Reads the configuration of an open file; unsupported architectures or RoPE scalings are rejected. */
    public static ModelConfig of(GgufFile file) {
        ModelShape shape = ModelShape.of(file);
        Architecture arch = Architecture.fromGguf(shape.architecture());
        GgufMetadata md = file.metadata();
        String p = shape.architecture() + ".";
        // As llama.cpp: the type defaults to linear, and the factor (or the older rope.scale_linear)
        // divides positions whatever the type says; only the types with other math are refused.
        String scalingType = md.findString(p + "rope.scaling.type").orElse("linear");
        if (!scalingType.equals("linear") && !scalingType.equals("none")) {
            throw new UnsupportedModelException("RoPE scaling type '" + scalingType
                    + "' is not supported (supported: none, linear, and llama3-style rope_freqs.weight)");
        }
        float factor = md.contains(p + "rope.scaling.factor") ? md.getFloat(p + "rope.scaling.factor")
                : md.getFloat(p + "rope.scale_linear", 0f);
        if (factor == 0f) {
            factor = 1f;
        }
        return new ModelConfig(shape, arch, arch.ropeType(),
                md.getFloat(p + "rope.freq_base", 10000f),
                md.getInt(p + "rope.dimension_count", shape.keyLength()),
                factor,
                md.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f));
    }

    public int dim() {
        return shape.embeddingLength();
    }

    public int layers() {
        return shape.blockCount();
    }

    public int heads() {
        return shape.headCount();
    }

    public int kvHeads() {
        return shape.headCountKv();
    }

    public int headDim() {
        return shape.keyLength();
    }

    public int valueHeadDim() {
        return shape.valueLength();
    }

    /** Width of the query projection: heads x head width. */
    public int queryDim() {
        return shape.headCount() * shape.keyLength();
    }

    /** Width of a K row in the cache. */
    public int keyDim() {
        return shape.headCountKv() * shape.keyLength();
    }

    /** Width of a V row in the cache. */
    public int valueDim() {
        return shape.headCountKv() * shape.valueLength();
    }

    public int vocabSize() {
        return shape.vocabSize();
    }
}
