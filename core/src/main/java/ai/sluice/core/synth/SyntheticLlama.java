package ai.sluice.core.synth;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufValue;
import ai.sluice.core.gguf.GgufValueType;
import ai.sluice.core.gguf.GgufWriter;
import ai.sluice.core.gguf.GgufWriter.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a random-weight Llama GGUF at a real model's shape, with the metadata and tensor names of
 * llama.cpp's {@code llama} architecture, so that Sluice and llama.cpp both load it. For measuring
 * speed and memory at sizes whose real weights are not at hand; the text it generates is noise.
 *
 * <p>Tensor types follow the requested file type: every matrix (token embeddings and output
 * included) at {@code type}, norm weights F32.
 */
public final class SyntheticLlama {
    /** Standard deviation of the random weights, typical of trained transformer matrices. */
    static final double WEIGHT_STD = 0.02;

    /**
     * What was written.
     *
     * @param path the file
     * @param fileBytes its size
     * @param parameters total weights
     * @param tensors number of tensors
     */
    public record Result(Path path, long fileBytes, long parameters, int tensors) {
    }

    private SyntheticLlama() {
    }

    /** The types a synthetic model can be written in. */
    public static final List<GgmlType> TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0);

    /** Writes the model to {@code out} (replacing it); the weights depend only on {@code seed}. */
    public static Result write(Path out, SynthConfig config, GgmlType type, long seed) {
        List<TensorSpec> tensors = tensors(config, type, seed);
        GgufWriter.write(out, metadata(config, type), tensors);
        long params = 0;
        for (TensorSpec t : tensors) {
            params += t.elementCount();
        }
        try {
            return new Result(out, Files.size(out), params, tensors.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** llama.cpp's {@code general.file_type} (LLAMA_FTYPE) for a file whose matrices are {@code type}. */
    public static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0; // ALL_F32
            case F16 -> 1; // MOSTLY_F16
            case Q4_0 -> 2; // MOSTLY_Q4_0
            case Q8_0 -> 7; // MOSTLY_Q8_0
            default -> throw new IllegalArgumentException(
                    "cannot synthesize " + type + " (choose one of f32, f16, q8_0, q4_0)");
        };
    }

    static Map<String, GgufValue> metadata(SynthConfig c, GgmlType type) {
        SynthVocabulary vocab = SynthVocabulary.of(c.vocab());
        Map<String, GgufValue> md = new LinkedHashMap<>();
        md.put("general.architecture", GgufValue.ofString("llama"));
        md.put("general.name", GgufValue.ofString("sluice-synth-" + c.name() + " (random weights, " + c.description()
                + " shape)"));
        md.put("general.file_type", GgufValue.ofUInt32(fileType(type)));
        md.put("general.quantization_version", GgufValue.ofUInt32(2));
        md.put("llama.vocab_size", GgufValue.ofUInt32(c.vocab()));
        md.put("llama.context_length", GgufValue.ofUInt32(c.contextLength()));
        md.put("llama.embedding_length", GgufValue.ofUInt32(c.dim()));
        md.put("llama.block_count", GgufValue.ofUInt32(c.layers()));
        md.put("llama.feed_forward_length", GgufValue.ofUInt32(c.ffn()));
        md.put("llama.rope.dimension_count", GgufValue.ofUInt32(c.headDim()));
        md.put("llama.rope.freq_base", GgufValue.ofFloat32(c.ropeBase()));
        md.put("llama.attention.head_count", GgufValue.ofUInt32(c.heads()));
        md.put("llama.attention.head_count_kv", GgufValue.ofUInt32(c.kvHeads()));
        md.put("llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(c.rmsEps()));
        md.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        md.put("tokenizer.ggml.pre", GgufValue.ofString("default"));
        md.put("tokenizer.ggml.tokens", GgufValue.ofStrings(vocab.tokens()));
        md.put("tokenizer.ggml.scores", GgufValue.ofFloats(vocab.scores()));
        md.put("tokenizer.ggml.token_type", GgufValue.ofInts(vocab.types()));
        md.put("tokenizer.ggml.bos_token_id", GgufValue.ofUInt32(SynthVocabulary.BOS));
        md.put("tokenizer.ggml.eos_token_id", GgufValue.ofUInt32(SynthVocabulary.EOS));
        md.put("tokenizer.ggml.unknown_token_id", GgufValue.ofUInt32(SynthVocabulary.UNK));
        md.put("tokenizer.ggml.add_bos_token", new GgufValue(GgufValueType.BOOL, null, true));
        md.put("tokenizer.ggml.add_eos_token", new GgufValue(GgufValueType.BOOL, null, false));
        return md;
    }

    static List<TensorSpec> tensors(SynthConfig c, GgmlType type, long seed) {
        fileType(type); // rejects unsupported types before anything is written
        Tensors t = new Tensors(type, seed);
        // ggml order: shape[0] is the row length (the input width of a matrix).
        t.matrix("token_embd.weight", c.dim(), c.vocab());
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            t.norm(p + "attn_norm.weight", c.dim());
            t.matrix(p + "attn_q.weight", c.dim(), c.dim());
            t.matrix(p + "attn_k.weight", c.dim(), c.kvDim());
            t.matrix(p + "attn_v.weight", c.dim(), c.kvDim());
            t.matrix(p + "attn_output.weight", c.dim(), c.dim());
            t.norm(p + "ffn_norm.weight", c.dim());
            t.matrix(p + "ffn_gate.weight", c.dim(), c.ffn());
            t.matrix(p + "ffn_up.weight", c.dim(), c.ffn());
            t.matrix(p + "ffn_down.weight", c.ffn(), c.dim());
        }
        t.norm("output_norm.weight", c.dim());
        t.matrix("output.weight", c.dim(), c.vocab());
        return t.specs;
    }

    /** Collects tensor specs; each matrix gets its own seed, derived from the file seed and its index. */
    private static final class Tensors {
        final List<TensorSpec> specs = new ArrayList<>();
        final GgmlType type;
        final long seed;

        Tensors(GgmlType type, long seed) {
            this.type = type;
            this.seed = seed;
        }

        void matrix(String name, long rowLength, long rows) {
            long s = RandomWeights.mix(seed + 0x632BE59BD9B4E019L * (specs.size() + 1));
            specs.add(new TensorSpec(name, type, new long[] {rowLength, rows},
                    seg -> RandomWeights.fill(seg, type, WEIGHT_STD, s)));
        }

        void norm(String name, long dim) {
            specs.add(new TensorSpec(name, GgmlType.F32, new long[] {dim}, seg -> RandomWeights.constant(seg, 1f)));
        }
    }
}
