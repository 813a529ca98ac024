package ai.sluice.engine;

import ai.sluice.core.model.KvType;
/**
 * The KV pool the engine allocated at start.
 *
 * @param blocks number of blocks
 * @param blockSize tokens per block
 * @param type element type
 * @param bytes memory held
 * @param maxModelLen the longest sequence admitted (prompt plus output)
 */
public record KvCacheLayout(int blocks, int blockSize, KvType type, long bytes, int maxModelLen) {
    /** Token capacity of the whole pool. */
    public long tokens() {
        return (long) blocks * blockSize;
    }

    /** How many sequences of {@code maxModelLen} tokens fit at once. */
    public double maxConcurrency() {
        return (double) blocks / Math.ceilDiv(maxModelLen, blockSize);
    }
}
