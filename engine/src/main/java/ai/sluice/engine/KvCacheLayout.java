package ai.sluice.engine;

import ai.sluice.core.tensor.KvType;
/**
 * The KV cache as {@link KvCacheSizing} sized it and the engine allocated it at start.
 *
 * @param blocks number of blocks
 * @param blockSize tokens per block
 * @param type element type
 * @param bytes memory held
 * @param maxModelLen the longest sequence admitted (prompt plus output)
 */
public record KvCacheLayout(int blocks, int blockSize, KvType type, long bytes, int maxModelLen) {
    /**
     * The budget that holds exactly {@code sequences} sequences of {@code length} tokens in blocks of
     * {@code blockSize} at {@code bytesPerToken} ({@code ModelRunner.kvBytesPerToken}): whole blocks
     * per sequence, as {@link KvCacheSizing} counts them.
     */
    public static long bytesForSequences(long sequences, int length, int blockSize, long bytesPerToken) {
        return Math.multiplyExact(Math.multiplyExact(sequences, (long) Math.ceilDiv(length, blockSize) * blockSize),
                bytesPerToken);
    }

    /** Token capacity of the whole pool. */
    public long tokens() {
        return (long) blocks * blockSize;
    }

    /** How many sequences of {@code maxModelLen} tokens fit at once. */
    public double maxConcurrency() {
        return (double) blocks / Math.ceilDiv(maxModelLen, blockSize);
    }
}
