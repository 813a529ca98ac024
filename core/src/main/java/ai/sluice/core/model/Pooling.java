package ai.sluice.core.model;

import ai.sluice.core.gguf.GgufMetadata;
import java.util.Locale;
import java.util.Optional;

/**
 * How one sequence's per-token hidden states become one embedding vector. The GGUF key
 * {@code <arch>.pooling_type} holds llama.cpp's numbering (0 none, 1 mean, 2 CLS, 3 last, 4 rank);
 * the pooling-less and reranking kinds are not embeddings of a whole input, so they read as "not
 * declared" and the server's default applies.
 */
public enum Pooling {
    /** The average of every token's hidden state. */
    MEAN(1),
    /** The first token's hidden state (BERT's [CLS]). */
    CLS(2),
    /** The last token's hidden state (decoder embedding models such as Qwen3-Embedding). */
    LAST(3);

    private final int ggufCode;

    Pooling(int ggufCode) {
        this.ggufCode = ggufCode;
    }

    /** llama.cpp's number for this pooling ({@code LLAMA_POOLING_TYPE_*}). */
    public int ggufCode() {
        return ggufCode;
    }

    /** The pooling {@code metadata} declares for {@code architecture}, or empty when it declares none. */
    public static Optional<Pooling> declaredBy(GgufMetadata metadata, String architecture) {
        String key = architecture + ".pooling_type";
        if (!metadata.contains(key)) {
            return Optional.empty();
        }
        int code = metadata.getInt(key);
        for (Pooling p : values()) {
            if (p.ggufCode == code) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Parses {@code mean}, {@code cls} or {@code last} (any case). */
    public static Pooling parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pooling '" + name + "' is not one of mean, cls, last");
        }
    }

    /** The lower-case name used on the command line and in logs. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
