package ai.sluice.server.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Server-wide defaults for the sampling fields a request leaves out (vLLM's
 * {@code --override-generation-config}, llama-server's {@code --temp}, {@code --seed}, ...). A field the
 * request sends always wins.
 *
 * @param maxTokens null: completions default to {@link RequestParser#DEFAULT_COMPLETION_TOKENS}, chat to the context
 * @param seed      null: each request draws its own
 */
public record GenerationDefaults(float temperature, float topP, int topK, float minP, float presencePenalty,
                                 float frequencyPenalty, float repetitionPenalty, Integer maxTokens, Long seed) {

    /** OpenAI's defaults. */
    public static final GenerationDefaults OPENAI = new GenerationDefaults(1f, 1f, -1, 0f, 0f, 0f, 1f, null, null);

    /**
     * Reads defaults from a JSON object with the request's field names ({@code temperature},
     * {@code top_p}, {@code top_k}, {@code min_p}, {@code presence_penalty}, {@code frequency_penalty},
     * {@code repetition_penalty}, {@code max_tokens}, {@code seed}), checked with the request's own
     * rules; an unknown field is an error here (a typo would otherwise silently change nothing).
     *
     * @throws ApiException naming the field that is wrong
     */
    public static GenerationDefaults parse(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw ApiException.badRequest("the generation config must be a JSON object");
        }
        for (var it = json.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!java.util.Set.of("temperature", "top_p", "top_k", "min_p", "presence_penalty", "frequency_penalty",
                    "repetition_penalty", "max_tokens", "seed").contains(name)) {
                throw ApiException.invalid(name, "'" + name + "' is not a generation default this server knows");
            }
        }
        Params p = new Params(json);
        return new GenerationDefaults(
                p.number("temperature", 0, false, 2, OPENAI.temperature),
                p.number("top_p", 0, true, 1, OPENAI.topP),
                p.integer("top_k", -1, Integer.MAX_VALUE, OPENAI.topK),
                p.number("min_p", 0, false, 1, OPENAI.minP),
                p.number("presence_penalty", -2, false, 2, OPENAI.presencePenalty),
                p.number("frequency_penalty", -2, false, 2, OPENAI.frequencyPenalty),
                p.number("repetition_penalty", 0, true, 10, OPENAI.repetitionPenalty),
                p.integer("max_tokens", 1, Integer.MAX_VALUE),
                p.longValue("seed"));
    }
}
