package ai.sluice.engine;

/**
 * Token counts of one finished request.
 *
 * @param promptTokens tokens in the prompt
 * @param completionTokens tokens generated (a stop token counts; its text is not emitted), including those a
 *                         resumed request continued after, as an uninterrupted run would count them
 * @param cachedPromptTokens prompt tokens whose KV came from the prefix cache at first admission
 */
public record Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
