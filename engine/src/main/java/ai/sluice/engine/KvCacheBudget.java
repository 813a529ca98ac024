package ai.sluice.engine;

/**
 * How much memory the paged KV cache gets. The whole pool is allocated once, at start; it never
 * grows, so load can never make the process run out of memory.
 */
public sealed interface KvCacheBudget {

    /** Exactly this many bytes (rounded down to whole blocks). */
    record Bytes(long bytes) implements KvCacheBudget {
        public Bytes {
            if (bytes <= 0) {
                throw new IllegalArgumentException("KV cache budget must be > 0 bytes, got " + bytes);
            }
        }
    }

    /**
     * This fraction of the memory left after the weights, as reported by
     * {@link ModelRunner#availableMemoryBytes()}, at most what {@link EngineConfig#maxNumSeqs()}
     * full-length sequences can use.
     */
    record Fraction(double fraction) implements KvCacheBudget {
        public Fraction {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("KV cache fraction must be in (0, 1], got " + fraction);
            }
        }
    }

    static KvCacheBudget bytes(long bytes) {
        return new Bytes(bytes);
    }

    static KvCacheBudget fraction(double fraction) {
        return new Fraction(fraction);
    }
}
