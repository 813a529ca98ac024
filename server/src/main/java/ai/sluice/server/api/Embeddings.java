package ai.sluice.server.api;

import java.util.List;

/** The wire shape of an embeddings response, exactly OpenAI's. */
public final class Embeddings {
    private Embeddings() {
    }

    /**
     * {@code {"object":"list","data":[...],"model":...,"usage":{"prompt_tokens","total_tokens"}}}.
     */
    public record EmbeddingList(String object, List<Embedding> data, String model, EmbeddingUsage usage) {
        public static EmbeddingList of(List<Embedding> data, String model, int promptTokens) {
            return new EmbeddingList("list", data, model, new EmbeddingUsage(promptTokens, promptTokens));
        }
    }

    /** One vector: {@code embedding} is a list of floats, or a base64 string of little-endian float32. */
    public record Embedding(String object, int index, Object embedding) {
        public static Embedding of(int index, Object embedding) {
            return new Embedding("embedding", index, embedding);
        }
    }

    /** Embeddings generate nothing: the usage block has only these two counts. */
    public record EmbeddingUsage(int promptTokens, int totalTokens) {
    }
}
