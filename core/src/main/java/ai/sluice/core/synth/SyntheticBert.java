package ai.sluice.core.synth;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.gguf.GgufValue;
import ai.sluice.core.gguf.GgufValueType;
import ai.sluice.core.gguf.GgufWriter;
import ai.sluice.core.gguf.GgufWriter.TensorSpec;
import ai.sluice.core.model.Pooling;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a random-weight BERT encoder GGUF with llama.cpp's {@code bert} metadata and tensor names,
 * taking its WordPiece vocabulary (every {@code tokenizer.*} key) from a real vocabulary GGUF such
 * as llama.cpp's {@code ggml-vocab-bert-bge.gguf}, so the file tokenizes like bge and loads in
 * Sluice and llama.cpp. Biases and LayerNorm weights are random too (not 0 and 1), so a forward
 * pass that dropped one would show. The vectors it gives mean nothing.
 */
public final class SyntheticBert {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Layer matrices: large enough that attention is far from uniform at these widths. */
    private static final double MATRIX_STD = 0.06;
    private static final double EMBEDDING_STD = 0.05;
    private static final double BIAS_STD = 0.02;
    private static final double NORM_WEIGHT_STD = 0.1;

    /**
     * An encoder shape.
     *
     * @param name preset name
     * @param description the real model it follows
     * @param architecture {@code bert} or {@code nomic-bert} (RoPE, fused QKV, SwiGLU, no biases)
     */
    public record Shape(String name, String description, String architecture, int dim, int layers, int heads, int ffn,
                        int contextLength) {
        public Shape {
            if (dim <= 0 || layers <= 0 || heads <= 0 || ffn <= 0 || contextLength <= 0 || dim % heads != 0) {
                throw new IllegalArgumentException("sizes must be positive and dim must split into heads");
            }
        }
    }

    public static final Shape TINY = new Shape("bert-tiny", "a 2-layer BERT (tests)", "bert", 128, 2, 2, 512, 512);
    public static final Shape BGE_SMALL = new Shape("bge-small", "BAAI/bge-small-en-v1.5", "bert", 384, 12, 12, 1536, 512);
    public static final Shape NOMIC_TINY = new Shape("nomic-tiny", "a 2-layer nomic-bert (tests)", "nomic-bert",
            128, 2, 2, 384, 512);
    public static final Shape NOMIC_EMBED = new Shape("nomic-embed", "nomic-embed-text-v1.5", "nomic-bert",
            768, 12, 12, 3072, 2048);
    public static final List<Shape> PRESETS = List.of(TINY, BGE_SMALL, NOMIC_TINY, NOMIC_EMBED);

    private SyntheticBert() {
    }

    /** The preset called {@code name}, or null when none is. */
    public static Shape preset(String name) {
        for (Shape s : PRESETS) {
            if (s.name().equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }

    /**
     * Writes the model to {@code out}; the weights depend only on {@code seed}. The vocabulary is
     * every {@code tokenizer.*} key of {@code vocabulary}, which must be a WordPiece ({@code bert}) one.
     */
    public static SyntheticLlama.Result write(Path out, Shape shape, GgmlType type, long seed, GgufMetadata vocabulary,
                                              Pooling pooling) {
        String model = vocabulary.findString("tokenizer.ggml.model").orElse("");
        if (!model.equals("bert")) {
            throw new IllegalArgumentException("the vocabulary must be a WordPiece one (tokenizer.ggml.model 'bert'), "
                    + "got '" + model + "'");
        }
        int vocab = vocabulary.getStringArray("tokenizer.ggml.tokens").length;
        List<TensorSpec> tensors = tensors(shape, vocab, type, seed);
        GgufWriter.write(out, metadata(shape, type, vocabulary, pooling), tensors);
        long params = 0;
        for (TensorSpec t : tensors) {
            params += t.elementCount();
        }
        try {
            return new SyntheticLlama.Result(out, Files.size(out), params, tensors.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, GgufValue> metadata(Shape s, GgmlType type, GgufMetadata vocabulary, Pooling pooling) {
        Map<String, GgufValue> md = new LinkedHashMap<>();
        String a = s.architecture();
        md.put("general.architecture", GgufValue.ofString(a));
        md.put("general.name", GgufValue.ofString("sluice-synth-" + s.name() + " (random weights, " + s.description()
                + " shape)"));
        md.put("general.file_type", GgufValue.ofUInt32(SyntheticLlama.fileType(type)));
        md.put("general.quantization_version", GgufValue.ofUInt32(2));
        md.put(a + ".context_length", GgufValue.ofUInt32(s.contextLength()));
        md.put(a + ".embedding_length", GgufValue.ofUInt32(s.dim()));
        md.put(a + ".block_count", GgufValue.ofUInt32(s.layers()));
        md.put(a + ".feed_forward_length", GgufValue.ofUInt32(s.ffn()));
        md.put(a + ".attention.head_count", GgufValue.ofUInt32(s.heads()));
        md.put(a + ".attention.layer_norm_epsilon", GgufValue.ofFloat32(1e-12f));
        md.put(a + ".attention.causal", new GgufValue(GgufValueType.BOOL, null, false));
        md.put(a + ".pooling_type", GgufValue.ofUInt32(pooling.ggufCode()));
        if (a.equals("nomic-bert")) {
            md.put(a + ".rope.freq_base", GgufValue.ofFloat32(1000f)); // nomic-embed-text's
        }
        for (Map.Entry<String, GgufValue> e : vocabulary.asMap().entrySet()) {
            if (e.getKey().startsWith("tokenizer.")) {
                md.put(e.getKey(), e.getValue());
            }
        }
        return md;
    }

    static List<TensorSpec> tensors(Shape c, int vocab, GgmlType type, long seed) {
        SyntheticLlama.fileType(type);
        List<TensorSpec> specs = new ArrayList<>();
        int dim = c.dim();
        matrix(specs, seed, type, "token_embd.weight", dim, vocab, EMBEDDING_STD);
        boolean nomic = c.architecture().equals("nomic-bert");
        if (!nomic) {
            matrix(specs, seed, type, "position_embd.weight", dim, c.contextLength(), EMBEDDING_STD);
        }
        matrix(specs, seed, GgmlType.F32, "token_types.weight", dim, 2, EMBEDDING_STD);
        norm(specs, seed, "token_embd_norm", dim);
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            if (nomic) {
                // as nomic-embed-text's conversion: fused Q|K|V, SwiGLU, no biases
                matrix(specs, seed, type, p + "attn_qkv.weight", dim, 3L * dim, MATRIX_STD);
                matrix(specs, seed, type, p + "attn_output.weight", dim, dim, MATRIX_STD);
                norm(specs, seed, p + "attn_output_norm", dim);
                matrix(specs, seed, type, p + "ffn_up.weight", dim, c.ffn(), MATRIX_STD);
                matrix(specs, seed, type, p + "ffn_gate.weight", dim, c.ffn(), MATRIX_STD);
                matrix(specs, seed, type, p + "ffn_down.weight", c.ffn(), dim, MATRIX_STD);
                norm(specs, seed, p + "layer_output_norm", dim);
                continue;
            }
            for (String m : new String[] {"attn_q", "attn_k", "attn_v", "attn_output"}) {
                matrix(specs, seed, type, p + m + ".weight", dim, dim, MATRIX_STD);
                vector(specs, seed, p + m + ".bias", dim, 0, BIAS_STD);
            }
            norm(specs, seed, p + "attn_output_norm", dim);
            matrix(specs, seed, type, p + "ffn_up.weight", dim, c.ffn(), MATRIX_STD);
            vector(specs, seed, p + "ffn_up.bias", c.ffn(), 0, BIAS_STD);
            matrix(specs, seed, type, p + "ffn_down.weight", c.ffn(), dim, MATRIX_STD);
            vector(specs, seed, p + "ffn_down.bias", dim, 0, BIAS_STD);
            norm(specs, seed, p + "layer_output_norm", dim);
        }
        return specs;
    }

    private static long seedOf(long seed, List<TensorSpec> specs) {
        return RandomWeights.mix(seed + 0x632BE59BD9B4E019L * (specs.size() + 1));
    }

    private static void matrix(List<TensorSpec> specs, long seed, GgmlType type, String name, long rowLength, long rows,
                               double std) {
        long s = seedOf(seed, specs);
        specs.add(new TensorSpec(name, type, new long[] {rowLength, rows}, seg -> RandomWeights.fill(seg, type, std, s)));
    }

    /** An F32 vector of {@code mean} plus noise of {@code std}. */
    private static void vector(List<TensorSpec> specs, long seed, String name, long n, double mean, double std) {
        long s = seedOf(seed, specs);
        specs.add(new TensorSpec(name, GgmlType.F32, new long[] {n}, seg -> {
            RandomWeights.fill(seg, GgmlType.F32, std, s);
            for (long i = 0; i < seg.byteSize(); i += 4) {
                seg.set(F32, i, (float) (seg.get(F32, i) + mean));
            }
        }));
    }

    /** LayerNorm weight (around 1) and bias (around 0). */
    private static void norm(List<TensorSpec> specs, long seed, String name, long dim) {
        vector(specs, seed, name + ".weight", dim, 1, NORM_WEIGHT_STD);
        vector(specs, seed, name + ".bias", dim, 0, BIAS_STD);
    }
}
