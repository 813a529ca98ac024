package ai.sluice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/** Response bodies of {@code /v1/completions}: the whole response and the stream chunks share one shape. */
public final class Completions {
    private Completions() {
    }

    /** {@code object} is "text_completion" for both the response and each chunk, as OpenAI sends. */
    public record Response(String id, String object, long created, String model, String systemFingerprint,
                           List<Choice> choices, @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {
    }

    /**
     * {@code prompt_token_ids} and {@code token_ids} only for a request with {@code return_token_ids}
     * (vLLM's fields; in a stream the prompt's ids come in the choice's first chunk, and each chunk
     * carries the ids of its own tokens).
     */
    public record Choice(int index, String text, Logprobs logprobs, String finishReason,
                         @JsonInclude(JsonInclude.Include.NON_NULL) int[] promptTokenIds,
                         @JsonInclude(JsonInclude.Include.NON_NULL) int[] tokenIds) {
        public Choice(int index, String text, Logprobs logprobs, String finishReason) {
            this(index, text, logprobs, finishReason, null, null);
        }
    }

    /** The legacy completions logprobs layout: parallel lists. */
    public record Logprobs(List<String> tokens, List<Float> tokenLogprobs, List<Map<String, Float>> topLogprobs,
                           List<Integer> textOffset) {
    }
}
