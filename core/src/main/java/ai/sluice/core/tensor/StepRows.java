package ai.sluice.core.tensor;

/**
 * The rows of one forward step as a {@link Backend} holds them, made by {@link Backend#rows} once per
 * step and passed to that step's ops: row {@code i}'s token id, its position in its sequence, and
 * where its sequence's K/V live (its {@code SlotMapping}; a device backend uploads them once here).
 * Valid until the next step's rows are made.
 */
public interface StepRows {

    /** Rows in the step. */
    int count();
}
