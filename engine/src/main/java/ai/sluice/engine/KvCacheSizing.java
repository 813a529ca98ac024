package ai.sluice.engine;

import ai.sluice.core.model.KvType;

/**
 * Where the KV cache is <b>sized</b>: the budget ({@link KvCacheBudget}) and the model's bytes per
 * token become a {@link KvCacheLayout} (blocks, bytes, longest sequence), refusing budgets that cannot
 * hold one full-length sequence. The memory is then allocated once by
 * {@link ModelRunner#allocateKvCache} (a KV store of the model's backend), and its blocks handed out by
 * {@link KvCacheBlocks}. The planner's {@code CpuPlan} does the same arithmetic for its plan line.
 */
final class KvCacheSizing {
    private static final long MIB = 1024 * 1024;

    private KvCacheSizing() {
    }

    static KvCacheLayout layout(ModelRunner runner, EngineConfig config) {
        int context = runner.contextLength();
        int maxModelLen = config.maxModelLen() == 0 ? context : config.maxModelLen();
        if (context > 0 && maxModelLen > context) {
            throw new EngineConfigurationException("max-model-len " + maxModelLen + " exceeds the model's context length "
                    + context + "; lower EngineConfig.maxModelLen to at most " + context);
        }
        if (maxModelLen < 2) {
            throw new EngineConfigurationException("max-model-len must be at least 2 tokens, got " + maxModelLen);
        }
        KvType type = config.kvCacheType();
        int blockSize = config.blockSize();
        long bytesPerToken = runner.kvBytesPerToken(type);
        long bytesPerBlock = bytesPerToken * blockSize;
        long budget = switch (config.kvCacheBudget()) {
            case KvCacheBudget.Bytes b -> b.bytes();
            case KvCacheBudget.Fraction f -> fractionBudget(runner, config, maxModelLen, bytesPerToken, f);
        };
        // slots are int indices: cap the pool at 2^31 - 1 slots
        long blocks = Math.min(budget / bytesPerBlock, (Integer.MAX_VALUE - blockSize) / blockSize);
        int needed = Math.ceilDiv(maxModelLen, blockSize);
        if (blocks < needed) {
            long neededBytes = needed * bytesPerBlock;
            long fitsTokens = blocks * blockSize;
            throw new EngineConfigurationException("the KV cache budget of " + mib(budget) + " holds " + blocks
                    + " blocks of " + blockSize + " tokens (" + fitsTokens + " tokens at " + bytesPerToken
                    + " bytes per token, " + type + "), but one sequence of max-model-len " + maxModelLen + " needs "
                    + needed + " blocks (" + mib(neededBytes) + "): raise EngineConfig.kvCacheBudget to at least "
                    + mib(neededBytes)
                    + (fitsTokens >= 2 ? ", lower EngineConfig.maxModelLen to at most " + fitsTokens : "")
                    + (type == KvType.F32 ? ", or use EngineConfig.kvCacheType f16" : ""));
        }
        return new KvCacheLayout((int) blocks, blockSize, type, blocks * bytesPerBlock, maxModelLen);
    }

    /**
     * The fraction of available memory, but no more than {@code maxNumSeqs} full-length sequences
     * (a block each of slack) use: a larger pool could never be used, so it does not take the memory.
     */
    private static long fractionBudget(ModelRunner runner, EngineConfig config, int maxModelLen, long bytesPerToken,
                                       KvCacheBudget.Fraction f) {
        long useful = (long) config.maxNumSeqs() * (maxModelLen + config.blockSize()) * bytesPerToken;
        return Math.max(1, Math.min((long) (runner.availableMemoryBytes() * f.fraction()), useful));
    }

    static String mib(long bytes) {
        if (bytes < MIB / 10) {
            return bytes + " B";
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }
}
