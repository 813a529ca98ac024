package ai.sluice.engine;

import ai.sluice.core.tensor.KvType;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the engine is started with. Build one with {@link #builder()}; every field has a
 * default suited to a CPU.
 *
 * @param maxNumSeqs most sequences in one step (running requests)
 * @param maxBatchedTokens most tokens in one step, decodes plus prefill chunks; a longer prompt is
 *                         prefilled in chunks over several steps
 * @param maxModelLen longest sequence (prompt plus output) the engine accepts; 0 = the model's
 *                    context length
 * @param kvCacheBudget memory for the paged KV cache, allocated once at start
 * @param blockSize tokens per KV block, a power of two
 * @param kvCacheType element type of the KV cache
 * @param maxWaitingRequests most requests waiting for admission; beyond it submit is rejected with
 *                           {@link EngineOverloadedException}
 * @param maxWaitingTokens most prompt tokens waiting for admission (same rejection)
 * @param schedulingPolicy admission order
 * @param prefixCaching share full KV blocks of identical prefixes between requests
 * @param detokenizer text of generated tokens (stop strings, text deltas)
 * @param eosTokenIds tokens that end a generation (unless the request ignores EOS)
 */
public record EngineConfig(int maxNumSeqs, int maxBatchedTokens, int maxModelLen, KvCacheBudget kvCacheBudget,
                           int blockSize, KvType kvCacheType, int maxWaitingRequests, long maxWaitingTokens,
                           SchedulingPolicy schedulingPolicy, boolean prefixCaching, Detokenizer detokenizer,
                           Set<Integer> eosTokenIds) {

    public EngineConfig {
        positive("maxNumSeqs", maxNumSeqs);
        positive("maxBatchedTokens", maxBatchedTokens);
        if (maxModelLen < 0) {
            throw new IllegalArgumentException("maxModelLen must be >= 0 (0 = the model's context), got " + maxModelLen);
        }
        if (blockSize < 1 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize must be a power of two, got " + blockSize);
        }
        positive("maxWaitingRequests", maxWaitingRequests);
        if (maxWaitingTokens < 1) {
            throw new IllegalArgumentException("maxWaitingTokens must be >= 1, got " + maxWaitingTokens);
        }
        Objects.requireNonNull(kvCacheBudget, "kvCacheBudget");
        Objects.requireNonNull(kvCacheType, "kvCacheType");
        Objects.requireNonNull(schedulingPolicy, "schedulingPolicy");
        Objects.requireNonNull(detokenizer, "detokenizer");
        eosTokenIds = Set.copyOf(eosTokenIds);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder().maxNumSeqs(maxNumSeqs).maxBatchedTokens(maxBatchedTokens).maxModelLen(maxModelLen)
                .kvCacheBudget(kvCacheBudget).blockSize(blockSize).kvCacheType(kvCacheType)
                .maxWaitingRequests(maxWaitingRequests).maxWaitingTokens(maxWaitingTokens)
                .schedulingPolicy(schedulingPolicy).prefixCaching(prefixCaching).detokenizer(detokenizer)
                .eosTokenIds(eosTokenIds);
    }

    /** Tokens per KV block unless {@link Builder#blockSize} says otherwise. */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    /** Defaults: 32 sequences, 512 tokens per step, the model's context, 90% of free memory, blocks of 16, F32. */
    public static final class Builder {
        private int maxNumSeqs = 32;
        private int maxBatchedTokens = 512;
        private int maxModelLen = 0;
        private KvCacheBudget kvCacheBudget = KvCacheBudget.fraction(0.9);
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private KvType kvCacheType = KvType.F32;
        private int maxWaitingRequests = 1024;
        private long maxWaitingTokens = 1L << 20;
        private SchedulingPolicy schedulingPolicy = SchedulingPolicy.FCFS;
        private boolean prefixCaching = true;
        private Detokenizer detokenizer = Detokenizer.none();
        private Set<Integer> eosTokenIds = Set.of();

        private Builder() {
        }

        public Builder maxNumSeqs(int value) {
            this.maxNumSeqs = value;
            return this;
        }

        public Builder maxBatchedTokens(int value) {
            this.maxBatchedTokens = value;
            return this;
        }

        public Builder maxModelLen(int value) {
            this.maxModelLen = value;
            return this;
        }

        public Builder kvCacheBudget(KvCacheBudget value) {
            this.kvCacheBudget = value;
            return this;
        }

        public Builder kvCacheBytes(long bytes) {
            return kvCacheBudget(KvCacheBudget.bytes(bytes));
        }

        public Builder kvCacheFraction(double fraction) {
            return kvCacheBudget(KvCacheBudget.fraction(fraction));
        }

        public Builder blockSize(int value) {
            this.blockSize = value;
            return this;
        }

        public Builder kvCacheType(KvType value) {
            this.kvCacheType = value;
            return this;
        }

        public Builder maxWaitingRequests(int value) {
            this.maxWaitingRequests = value;
            return this;
        }

        public Builder maxWaitingTokens(long value) {
            this.maxWaitingTokens = value;
            return this;
        }

        public Builder schedulingPolicy(SchedulingPolicy value) {
            this.schedulingPolicy = value;
            return this;
        }

        public Builder prefixCaching(boolean value) {
            this.prefixCaching = value;
            return this;
        }

        public Builder detokenizer(Detokenizer value) {
            this.detokenizer = value;
            return this;
        }

        public Builder eosTokenIds(Set<Integer> value) {
            this.eosTokenIds = value;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(maxNumSeqs, maxBatchedTokens, maxModelLen, kvCacheBudget, blockSize, kvCacheType,
                    maxWaitingRequests, maxWaitingTokens, schedulingPolicy, prefixCaching, detokenizer, eosTokenIds);
        }
    }
}
