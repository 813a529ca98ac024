package ai.sluice.engine;

import java.util.List;

/**
 * Log-probabilities of one generated token, from the model's raw logits (log-softmax before
 * temperature and filters, as vLLM reports by default).
 *
 * @param token the chosen token
 * @param logprob its log-probability
 * @param top the most likely tokens, most likely first (as many as the request asked for)
 */
public record TokenLogprobs(int token, float logprob, List<Alternative> top) {
    public TokenLogprobs {
        top = List.copyOf(top);
    }

    /** One alternative: a token and its log-probability. */
    public record Alternative(int token, float logprob) {
    }
}
