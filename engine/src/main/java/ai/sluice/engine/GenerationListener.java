package ai.sluice.engine;

/**
 * Receives one request's output. Both callbacks run on the engine thread, inside a step that
 * serves every other request: they must be cheap and must never block (no I/O, no waiting on a
 * full queue). Hand the data to a bounded per-request queue and return; when that queue is full,
 * cancel the request instead of waiting. A callback that throws fails only its own request.
 *
 * <p>Order: zero or more {@link #onToken}, then exactly one {@link #onFinish}. A token that ends
 * the generation by being EOS or a stop token id is not passed to {@link #onToken}: it is counted in
 * {@link Usage#completionTokens()} and named in {@link FinishReason.Stop#tokenId()}.
 */
public interface GenerationListener {

    /**
     * One generated token.
     *
     * @param token the token id
     * @param textDelta text that became final with this token; may be empty (an unfinished
     *                  character, or text held back while it could still start a stop string) and
     *                  may carry text of earlier tokens. The concatenation of all deltas is the
     *                  output text.
     * @param logprobs the token's log-probability and alternatives, or null when not requested
     */
    void onToken(int token, String textDelta, TokenLogprobs logprobs);

    /**
     * The end of the request; nothing follows. {@code finalText} is text still held back (the
     * detokenizer's flush, or held text that turned out not to be a stop string), usually empty.
     */
    void onFinish(FinishReason reason, String finalText, Usage usage);
}
