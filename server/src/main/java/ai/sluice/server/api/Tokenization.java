package ai.sluice.server.api;

/**
 * {@code /tokenize} and {@code /detokenize} responses in vLLM's form, with llama-server's fields
 * beside them ({@code content} on detokenize; token ids with their pieces when asked).
 */
public final class Tokenization {
    private Tokenization() {
    }

    /** @param tokens token ids, or {@link Piece}s when llama-server's {@code with_pieces} was asked */
    public record TokenizeResponse(int count, int maxModelLen, Object tokens) {
    }

    /** One token with its text, as llama-server's {@code with_pieces} lists them. */
    public record Piece(int id, String piece) {
    }

    /** @param prompt vLLM's field; {@code content} is llama-server's, with the same text */
    public record DetokenizeResponse(String prompt, String content) {
        public DetokenizeResponse(String text) {
            this(text, text);
        }
    }
}
