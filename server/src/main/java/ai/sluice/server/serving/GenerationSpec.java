package ai.sluice.server.serving;

import ai.sluice.engine.TokenConstraint;

import java.util.List;
import java.util.Map;

/**
 * One sequence to generate: prompt, sampling and stopping rules.
 *
 * @param stopStrings  texts that end the sequence; the match and what follows are not output
 * @param seed         null for a random seed
 * @param ignoreEos    keep generating past end-of-sequence (stop token ids still apply)
 * @param topLogprobs  -1 for no logprobs, else how many alternatives to report per token (0..20)
 * @param logitBias    token id to the bias added to its logit before sampling (-100..100)
 * @param resumedTokens tokens an earlier run of this request generated: continue after them (stream
 *                      resume; empty for a fresh request)
 * @param constraint   structured output: which tokens may come next, or null for free text
 * @param minTokens    vLLM's min_tokens: no EOS, stop token id or stop string ends the first this many
 *                     tokens (0: none; at most maxTokens)
 * @param priority     vLLM's priority: under priority scheduling lower is admitted first (else 0)
 */
public record GenerationSpec(int[] promptTokens, int maxTokens, float temperature, float topP, int topK,
                             float minP, float presencePenalty, float frequencyPenalty,
                             float repetitionPenalty, Long seed, List<String> stopStrings, int[] stopTokenIds,
                             int topLogprobs, boolean ignoreEos, Map<Integer, Float> logitBias,
                             int[] resumedTokens, TokenConstraint constraint, int minTokens,
                             int priority) {
}
