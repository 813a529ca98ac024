package ai.sluice.core.tensor;

/**
 * Where one sequence's positions live in a {@link KvCacheMemory}: position {@code p}'s K and V rows are
 * slot {@code slot(p)}. A contiguous cache is {@code base + p} ({@link ContiguousSlots}); a paged
 * cache is {@code blockTable[p / blockSize] * blockSize + p % blockSize}.
 *
 * <p>Called in the attention loop for every cached position: keep it a cheap lookup.
 */
@FunctionalInterface
public interface SlotMapping {
    int slot(int position);
}
