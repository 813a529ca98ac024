package ai.sluice.cli;

import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.model.Pooling;
import ai.sluice.server.serving.EmbeddingSettings;
import java.util.Optional;

/**
 * {@code serve}'s embedding flags: the pooling the GGUF declares ({@code <arch>.pooling_type}) wins,
 * because a trained embedding model is only right with its own; {@code --pooling} applies to a
 * model that declares none (a plain decoder), default mean. {@code --matryoshka} lets
 * {@code dimensions} shorten vectors (GGUF has no key saying a model was trained for it).
 */
record EmbeddingFlags(String pooling, boolean matryoshka) {

    /** The settings to serve with, and a line saying where the pooling came from. */
    Resolved resolve(GgufMetadata metadata) {
        Pooling flag = pooling == null ? null : parse(pooling);
        Optional<Pooling> declared = Pooling.declaredBy(metadata, metadata.getString("general.architecture"));
        Pooling chosen = declared.orElse(flag != null ? flag : Pooling.MEAN);
        String line = declared.isPresent()
                ? "embeddings: " + chosen.label() + " pooling, as the model declares"
                        + (flag != null && flag != chosen ? " (--pooling " + flag.label() + " ignored)" : "")
                : "embeddings: " + chosen.label() + " pooling (" + (flag != null ? "--pooling" : "the default; the model "
                        + "declares none, --pooling changes it") + ")";
        return new Resolved(new EmbeddingSettings(chosen, matryoshka), line + (matryoshka ? ", Matryoshka" : ""));
    }

    /** Checked before the model loads. */
    static Pooling parse(String value) {
        try {
            return Pooling.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--pooling must be mean, cls or last, got '" + value + "'");
        }
    }

    record Resolved(EmbeddingSettings settings, String logLine) {
    }
}
