package ai.sluice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** Response bodies of {@code /v1/chat/completions}. */
public final class ChatCompletions {
    private ChatCompletions() {
    }

    /** {@code prompt_token_ids} (and each choice's {@code token_ids}) only with {@code return_token_ids}, as vLLM. */
    public record Response(String id, String object, long created, String model, String systemFingerprint,
                           List<Choice> choices, Usage usage,
                           @JsonInclude(JsonInclude.Include.NON_NULL) int[] promptTokenIds) {
        public Response(String id, String object, long created, String model, String systemFingerprint,
                        List<Choice> choices, Usage usage) {
            this(id, object, created, model, systemFingerprint, choices, usage, null);
        }
    }

    public record Choice(int index, Message message, Logprobs logprobs, String finishReason,
                         @JsonInclude(JsonInclude.Include.NON_NULL) int[] tokenIds) {
        public Choice(int index, Message message, Logprobs logprobs, String finishReason) {
            this(index, message, logprobs, finishReason, null);
        }
    }

    /** {@code toolCalls}: the calls the model made (left out when none). */
    public record Message(String role, String content,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ToolCall> toolCalls) {
        public Message(String role, String content) {
            this(role, content, null);
        }
    }

    /** One call: {@code arguments} is JSON text, as OpenAI sends it. */
    public record ToolCall(String id, String type, FunctionCall function) {
    }

    public record FunctionCall(String name, String arguments) {
    }

    /** A call in a stream chunk: {@code index} says which call the fields belong to. */
    public record ToolCallDelta(int index, String id, String type, FunctionCall function) {
    }

    /** One {@code chat.completion.chunk}; the usage-only last chunk has no choices. */
    /** With {@code return_token_ids}: the first chunk carries {@code prompt_token_ids}, each choice its {@code token_ids}. */
    public record Chunk(String id, String object, long created, String model, String systemFingerprint,
                        List<ChunkChoice> choices, @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage,
                        @JsonInclude(JsonInclude.Include.NON_NULL) int[] promptTokenIds) {
        public Chunk(String id, String object, long created, String model, String systemFingerprint,
                     List<ChunkChoice> choices, Usage usage) {
            this(id, object, created, model, systemFingerprint, choices, usage, null);
        }
    }

    public record ChunkChoice(int index, Delta delta, Logprobs logprobs, String finishReason,
                              @JsonInclude(JsonInclude.Include.NON_NULL) int[] tokenIds) {
        public ChunkChoice(int index, Delta delta, Logprobs logprobs, String finishReason) {
            this(index, delta, logprobs, finishReason, null);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content, List<ToolCallDelta> toolCalls) {
        public Delta(String role, String content) {
            this(role, content, null);
        }
    }

    public record Logprobs(List<TokenLogprob> content) {
    }

    /** {@code bytes}: the token's UTF-8 bytes as unsigned integers (a token may hold part of a character). */
    public record TokenLogprob(String token, float logprob, int[] bytes, List<TopLogprob> topLogprobs) {
    }

    public record TopLogprob(String token, float logprob, int[] bytes) {
    }
}
