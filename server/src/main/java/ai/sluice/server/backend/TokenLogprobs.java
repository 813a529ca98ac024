package ai.sluice.server.backend;

/** The chosen token's log-probability and the most likely alternatives (most likely first). */
public record TokenLogprobs(float logprob, int[] topTokens, float[] topLogprobs) {
}
