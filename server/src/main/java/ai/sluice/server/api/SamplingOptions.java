package ai.sluice.server.api;

import java.util.List;
import java.util.Map;

/**
 * The generation parameters shared by completions and chat completions, validated.
 *
 * @param maxTokens   null: generate until the context is full or the model stops
 * @param topK        -1 or 0: disabled
 * @param seed        null: random
 * @param topLogprobs -1: no logprobs; otherwise alternatives per token (0..20)
 * @param ignoreEos   vLLM's extension: keep generating past end-of-sequence (benchmarks)
 * @param logitBias   token id to the bias added to its logit before sampling (-100..100)
 * @param output      structured output (a schema, regex, choice or grammar the text must follow), or null
 * @param minTokens   vLLM's {@code min_tokens}: tokens generated before EOS, a stop token id or a stop
 *                    string may end a choice (0: none); at most maxTokens
 * @param priority    vLLM's {@code priority}: under priority scheduling lower is admitted first; 0 by default
 */
public record SamplingOptions(Integer maxTokens, float temperature, float topP, int topK, float minP,
                              float presencePenalty, float frequencyPenalty, float repetitionPenalty,
                              List<String> stop, int[] stopTokenIds, Long seed, int n, int topLogprobs,
                              boolean stream, boolean includeUsage, String user, boolean ignoreEos,
                              Map<Integer, Float> logitBias, OutputSpec output, int minTokens,
                              int priority) {

    public boolean logprobs() {
        return topLogprobs >= 0;
    }
}
