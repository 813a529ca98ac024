package ai.sluice.core.model;

import ai.sluice.core.tensor.SlotMapping;
/**
 * One token to run through the model in a batched forward pass.
 *
 * @param token token id
 * @param position its position in its sequence (0-based); attention covers positions 0..position
 * @param slots where the sequence's K/V live; positions before {@code position} must already be
 *              written (by earlier calls, or by earlier entries of the same call)
 * @param wantsLogits whether the caller needs this entry's next-token logits
 */
public record BatchEntry(int token, int position, SlotMapping slots, boolean wantsLogits) {
    public BatchEntry {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + position);
        }
        if (slots == null) {
            throw new IllegalArgumentException("slot mapping is required");
        }
    }
}
