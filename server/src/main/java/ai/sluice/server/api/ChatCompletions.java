package ai.sluice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** Response bodies of {@code /v1/chat/completions}. */
public final class ChatCompletions {
    private ChatCompletions() {
    }

    public record Response(String id, String object, long created, String model, String systemFingerprint,
                           List<Choice> choices, Usage usage) {
    }

    public record Choice(int index, Message message, Logprobs logprobs, String finishReason) {
    }

    public record Message(String role, String content) {
    }

    /** One {@code chat.completion.chunk}; the usage-only last chunk has no choices. */
    public record Chunk(String id, String object, long created, String model, String systemFingerprint,
                        List<ChunkChoice> choices, @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {
    }

    public record ChunkChoice(int index, Delta delta, Logprobs logprobs, String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {
    }

    public record Logprobs(List<TokenLogprob> content) {
    }

    /** {@code bytes}: the token's UTF-8 bytes as unsigned integers (a token may hold part of a character). */
    public record TokenLogprob(String token, float logprob, int[] bytes, List<TopLogprob> topLogprobs) {
    }

    public record TopLogprob(String token, float logprob, int[] bytes) {
    }
}
