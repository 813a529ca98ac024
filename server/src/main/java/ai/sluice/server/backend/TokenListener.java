package ai.sluice.server.backend;

/** Receives a sequence's output on the engine thread; implementations must return quickly and never block. */
public interface TokenListener {

    /**
     * One sampled token.
     *
     * @param textDelta text that became final with this token (may be empty: an unfinished character,
     *                  or text held back while it could still start a stop string); the deltas
     *                  concatenated are the output text, stop strings already cut
     * @param logprobs  the token's log-probability and alternatives, or {@code null} when not requested
     */
    void onToken(int token, String textDelta, TokenLogprobs logprobs);

    /**
     * Called exactly once, last.
     *
     * @param finalText          text still held back at the end (usually empty)
     * @param error              null unless the reason is {@link FinishReason#ERROR}
     * @param cachedPromptTokens prompt tokens whose KV came from the prefix cache
     */
    void onFinish(FinishReason reason, String finalText, String error, int cachedPromptTokens);
}
