package ai.sluice.engine;

import ai.sluice.core.model.Pooling;
import java.util.Objects;

/**
 * One input to embed: a prefill-only sequence whose final hidden states are pooled into one
 * vector instead of sampling a token.
 *
 * @param requestId caller's id (logs, metrics); need not be unique
 * @param tokens the input's token ids, at least one, at most the engine's maxModelLen (copied)
 * @param pooling how the per-token states become one vector
 * @param normalize whether the vector is scaled to unit L2 norm (what OpenAI's embeddings are)
 */
public record EmbeddingRequest(String requestId, int[] tokens, Pooling pooling, boolean normalize) {

    public EmbeddingRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(pooling, "pooling");
        if (tokens == null || tokens.length == 0) {
            throw new InvalidRequestException("tokens", "an embedding input must hold at least one token");
        }
        tokens = tokens.clone();
    }

    /** A copy of the token ids. */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** The token ids without copying, for the engine. */
    int[] tokensUnsafe() {
        return tokens;
    }
}
