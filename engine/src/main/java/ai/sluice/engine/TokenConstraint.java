package ai.sluice.engine;

/**
 * Restricts which tokens a sequence may generate (structured output: a JSON schema, a regex, a
 * grammar). The engine asks the sequence's {@link State} for the allowed tokens before each sample,
 * sets every other token's logit to minus infinity, and moves the state past the token picked. The
 * end-of-sequence tokens (the engine's EOS ids and the request's stop token ids) are the engine's
 * business: allowed exactly when the state says the output is complete.
 *
 * <p>A state depends only on the tokens accepted, and lives with the sequence, so preemption and
 * recompute do not disturb it and a seeded request gives the same output either way.
 */
public interface TokenConstraint {

    /**
     * A fresh state at the start of the output, for one sequence. Called on the engine thread, or on the
     * submitting thread for a resumed request (which replays its tokens there): states of one constraint
     * must share nothing unsynchronised.
     */
    State start();

    /** One sequence's position in the constraint; used by the engine thread only. */
    interface State {
        /** Overwrites {@code bits} (one bit per token id, 64 per word) with the tokens allowed next. */
        void allowed(long[] bits);

        /** The output so far is complete: end of sequence may come now. */
        boolean complete();

        /** Moves past {@code token}, which {@link #allowed} allowed. */
        void accept(int token);
    }
}
