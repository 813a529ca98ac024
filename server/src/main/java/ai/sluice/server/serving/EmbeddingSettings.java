package ai.sluice.server.serving;

import ai.sluice.core.model.Pooling;
import java.util.Objects;

/**
 * How a served model embeds: the pooling (the one the GGUF declares, else the {@code --pooling}
 * flag, default mean) and whether {@code dimensions} may shorten its vectors.
 */
public record EmbeddingSettings(Pooling pooling, boolean matryoshka) {
    public static final EmbeddingSettings DEFAULT = new EmbeddingSettings(Pooling.MEAN, false);

    public EmbeddingSettings {
        Objects.requireNonNull(pooling, "pooling");
    }
}
