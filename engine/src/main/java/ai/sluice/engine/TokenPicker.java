package ai.sluice.engine;

import ai.sluice.core.sampling.SamplingParams;

/** Picks one sequence's next token from a logits row. One per sequence (may hold random state). */
interface TokenPicker {

    /** Picks from {@code logits[0 .. vocab)}; {@code history[0 .. length)} are the sequence's tokens so far. */
    int pick(float[] logits, int[] history, int length);

    static TokenPicker of(SamplingParams params, int vocab) {
        if (params.temperature() != 0f || params.hasPenalties()) {
            throw new InvalidRequestException("temperature", "only greedy sampling is available in this build");
        }
        return (logits, history, length) -> {
            int best = 0;
            for (int i = 1; i < vocab; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        };
    }
}
