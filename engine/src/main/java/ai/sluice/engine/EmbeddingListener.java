package ai.sluice.engine;

/**
 * Receives one embedding request's result: exactly one of the two callbacks, on the engine thread,
 * under the same rules as {@link GenerationListener} (cheap, never blocking).
 */
public interface EmbeddingListener {

    /** The pooled (and, if asked, normalised) vector; {@code tokens} is the input's length. */
    void onEmbedding(float[] embedding, int tokens);

    /** The request ended without a vector (cancelled, the model failed, the engine shut down). */
    void onFailure(FinishReason reason);
}
