package ai.sluice.server.api;

/** vLLM's {@code /tokenize} and {@code /detokenize} responses. */
public final class Tokenization {
    private Tokenization() {
    }

    public record TokenizeResponse(int count, int maxModelLen, int[] tokens) {
    }

    public record DetokenizeResponse(String prompt) {
    }
}
