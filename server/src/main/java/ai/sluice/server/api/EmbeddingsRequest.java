package ai.sluice.server.api;

import java.util.List;

/**
 * A validated {@code POST /v1/embeddings} body.
 *
 * @param model the model named, or null
 * @param inputs one item per vector asked for, in order (texts to tokenize or token ids as given)
 * @param base64 {@code encoding_format: "base64"}: each vector as base64 of little-endian float32
 * @param dimensions the length the vectors are cut to, or null for the model's own
 */
public record EmbeddingsRequest(String model, List<Prompt> inputs, boolean base64, Integer dimensions) {
}
