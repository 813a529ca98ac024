package ai.sluice.core.model;

import ai.sluice.core.tensor.SlotMapping;
/** A sequence stored in consecutive slots from {@code base}: {@code slot(p) = base + p}. */
public record ContiguousSlots(int base) implements SlotMapping {
    @Override
    public int slot(int position) {
        return base + position;
    }
}
