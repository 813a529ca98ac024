package ai.sluice.server.serving;

import ai.sluice.core.model.Pooling;
import ai.sluice.engine.EmbeddingListener;
import ai.sluice.engine.RequestHandle;

/**
 * The embedding side of a served model: what {@code /v1/embeddings} needs. Every model Sluice
 * serves has one (a decoder pools its final hidden states; an encoder is nothing else).
 */
public interface Embedder {

    /** Length of the vectors (the model's hidden size). */
    int dimensions();

    /** Longest input in tokens. */
    int maxInputTokens();

    /** How token states become one vector. */
    Pooling pooling();

    /**
     * Whether the model was trained so that a prefix of its vector is itself an embedding
     * (Matryoshka representation learning): only then may a request's {@code dimensions} shorten it.
     */
    boolean matryoshka();

    /**
     * Queues one input; its L2-normalised vector goes to {@code listener} on the engine's thread.
     *
     * @throws OverloadedException when the engine's waiting queue is full
     * @throws RejectedException when the input is refused or the engine is closed
     */
    RequestHandle embed(int[] tokens, EmbeddingListener listener);
}
