package ai.sluice.server.backend;

/**
 * One sequence to generate: prompt, sampling and stopping rules.
 *
 * @param seed         null for a random seed
 * @param topLogprobs  -1 for no logprobs, else how many alternatives to report per token (0..20)
 */
public record GenerationSpec(int[] promptTokens, int maxTokens, float temperature, float topP, int topK,
                             float minP, float presencePenalty, float frequencyPenalty,
                             float repetitionPenalty, Long seed, int[] stopTokenIds, int topLogprobs) {
}
