package ai.sluice.server.backend;

/** Receives a sequence's output on the engine thread; implementations must return quickly and never block. */
public interface TokenListener {

    /**
     * One sampled token.
     *
     * @param logprobs the token's log-probability and alternatives, or {@code null} when not requested
     */
    void onToken(int token, TokenLogprobs logprobs);

    /** Called exactly once, last. {@code error} is null unless the reason is {@link FinishReason#ERROR}. */
    void onFinish(FinishReason reason, String error);
}
