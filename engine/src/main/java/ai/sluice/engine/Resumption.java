package ai.sluice.engine;

/**
 * Puts a resumed request's output state where an uninterrupted run of the same request had it after
 * the tokens it resumes from, so the continuation (tokens, text, stop matching) is the one that run
 * would have produced:
 * <ul>
 *   <li>the sampler's random state is moved on by one draw per resumed token (none when greedy), as
 *       many as that run drew for them ({@code Sampler.skipSamples});</li>
 *   <li>the detokenizer and the stop-string matcher are fed the resumed tokens, so a character split
 *       across tokens and text held back as the possible start of a stop string are held here too,
 *       and that run's text up to the cut is not sent again;</li>
 *   <li>penalties need nothing: they read the sequence's tokens, and the resumed ones are there;</li>
 *   <li>a structured-output constraint is moved past the resumed tokens (each must be allowed).</li>
 * </ul>
 * The resumed tokens can also show that the run had already ended: a stop string completed by the
 * last of them, or maxTokens reached. Then the continuation is only that ending (the text still held
 * back, and the finish reason), which a client misses when a stream drops just before its last event.
 * Tokens that could not have been generated before more tokens (EOS, a stop token id, a stop string
 * completed before the last) are refused.
 */
final class Resumption {
    private Resumption() {
    }

    /**
     * The output state after the resumed tokens.
     *
     * @param ended how the resumed tokens ended the generation, or null when it goes on
     */
    record Primed(TokenPicker picker, Detokenizer.TextStream text, StopStrings stops, FinishReason ended) {
    }

    /**
     * Primes the output state of {@code request} after its {@link GenerationRequest#resumedTokens()}.
     *
     * @param maxTokens the most tokens the request may generate in all (its maxTokens within the context)
     * @param eos       end-of-sequence flags by token id
     * @throws InvalidRequestException naming {@code resumedTokens} when they cannot be a prefix of a run
     */
    static Primed prime(GenerationRequest request, int maxTokens, Detokenizer detokenizer, boolean[] eos, int vocab) {
        int[] resumed = request.resumedTokensUnsafe();
        int k = resumed.length;
        if (k > maxTokens) {
            throw invalid("the request resumes after " + k + " tokens but may generate only " + maxTokens
                    + " (its maxTokens, within the context left after the prompt)");
        }
        TokenConstraint c = request.constraint();
        TokenPicker picker = new TokenPicker(request.sampling(), request.logitBias(), vocab,
                c == null ? null : new ConstraintMask(c, vocab, eos, request.stopTokenIds()), MinTokens.of(request, eos));
        picker.skip(k);
        Detokenizer.TextStream text = detokenizer.newStream(request.promptTokensUnsafe());
        StopStrings stops = new StopStrings(request.stopStrings());
        FinishReason ended = null;
        for (int i = 0; i < k; i++) {
            int t = resumed[i];
            if (t < 0 || t >= vocab) {
                throw invalid("resumed token " + i + " (id " + t + ") is outside the vocabulary of " + vocab);
            }
            if ((eos[t] && !request.ignoreEos()) || request.stopTokenIds().contains(t)) {
                throw invalid("resumed token " + i + " (id " + t + ") ends the generation (EOS or a stop token"
                        + " id), so no token can follow it");
            }
            if (!picker.replay(t)) {
                throw invalid("resumed token " + i + " (id " + t + ") is not allowed there by the request's"
                        + " structured-output constraint");
            }
            stops.append(text.push(t), MinTokens.stopsApply(request, i + 1)); // text the original run sent (or still holds back), not sent again
            if (stops.matched() != null) {
                if (i < k - 1) {
                    throw invalid("the text of the resumed tokens completes the stop string '" + stops.matched()
                            + "' at token " + i + ", so no token can follow it");
                }
                ended = new FinishReason.Stop(t, stops.matched());
            }
        }
        if (ended == null && k == maxTokens && k > 0) {
            ended = new FinishReason.Length();
        }
        return new Primed(picker, text, stops, ended);
    }

    private static InvalidRequestException invalid(String message) {
        return new InvalidRequestException("resumedTokens", message);
    }
}
