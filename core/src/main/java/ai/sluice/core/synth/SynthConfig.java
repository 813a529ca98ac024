package ai.sluice.core.synth;

import java.util.List;
import java.util.Locale;

/**
 * The architecture of a synthetic Llama: the real shape of a known model, so that a random-weight
 * file has the size, memory traffic and speed of the real one.
 *
 * @param name preset name ({@code 110m}, {@code 1b}, {@code 8b})
 * @param description the real model the shape comes from
 * @param dim model width
 * @param layers transformer blocks
 * @param heads query heads
 * @param kvHeads key/value heads (fewer than {@code heads} means grouped-query attention)
 * @param ffn feed-forward hidden width
 * @param vocab vocabulary size
 * @param contextLength trained context length
 * @param ropeBase RoPE frequency base
 * @param rmsEps RMSNorm epsilon
 */
public record SynthConfig(String name, String description, int dim, int layers, int heads, int kvHeads, int ffn,
                          int vocab, int contextLength, float ropeBase, float rmsEps) {

    public static final SynthConfig L110M = new SynthConfig("110m", "llama2.c stories110M",
            768, 12, 12, 12, 2048, 32000, 1024, 10000f, 1e-5f);
    public static final SynthConfig L1B = new SynthConfig("1b", "TinyLlama-1.1B",
            2048, 22, 32, 4, 5632, 32000, 2048, 10000f, 1e-5f);
    public static final SynthConfig L8B = new SynthConfig("8b", "Llama-3-8B",
            4096, 32, 32, 8, 14336, 128256, 8192, 500000f, 1e-5f);

    public static final List<SynthConfig> PRESETS = List.of(L110M, L1B, L8B);

    public SynthConfig {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffn <= 0 || contextLength <= 0) {
            throw new IllegalArgumentException("all sizes must be positive");
        }
        if (dim % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("dim must divide into heads and heads into kv heads");
        }
        if (vocab < SynthVocabulary.MIN_SIZE) {
            throw new IllegalArgumentException("vocab must hold at least " + SynthVocabulary.MIN_SIZE + " tokens");
        }
    }

    /** The preset called {@code name} (case-insensitive). */
    public static SynthConfig preset(String name) {
        for (SynthConfig c : PRESETS) {
            if (c.name.equals(name.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown shape '" + name + "' (choose one of 110m, 1b, 8b)");
    }

    public int headDim() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    /** Total weights: embeddings, per-layer attention, FFN and norms, final norm, output. */
    public long parameterCount() {
        long perLayer = 2L * dim * dim + 2L * dim * kvDim() + 3L * dim * ffn + 2L * dim;
        return 2L * vocab * dim + layers * perLayer + dim;
    }
}
