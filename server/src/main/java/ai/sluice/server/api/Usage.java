package ai.sluice.server.api;

/**
 * OpenAI's usage block. {@code prompt_tokens_details.cached_tokens}: prompt tokens whose KV came
 * from the prefix cache instead of being computed (OpenAI's field for its own prompt caching).
 */
public record Usage(int promptTokens, int completionTokens, int totalTokens, PromptTokensDetails promptTokensDetails) {

    public record PromptTokensDetails(int cachedTokens) {
    }

    public static Usage of(int prompt, int completion, int cachedPrompt) {
        return new Usage(prompt, completion, prompt + completion, new PromptTokensDetails(cachedPrompt));
    }
}
