package ai.sluice.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * The paged KV cache's bookkeeping: which of a fixed number of blocks of {@code blockSize} slots
 * each sequence holds, reference counts, and the automatic prefix cache. No memory of its own: the
 * K and V live in the model backend's KV store (allocated by {@link ModelRunner#allocateKvCache}),
 * and block {@code b} is its slots {@code b * blockSize ..}; the count of blocks comes from
 * {@link KvCacheSizing}.
 *
 * <p>A block is either referenced (by one or more sequences) or free. Free blocks wait in one LRU
 * queue; a free block may still hold the KV of a full block of tokens, registered under the hash
 * chain of its tokens, and can be revived by a prefix-cache hit until it is reallocated (evicted).
 * Allocation takes the least recently freed block, so cached blocks live as long as possible.
 *
 * <p>Only full blocks are ever shared, and a sequence only writes positions past the ones it has
 * computed, so shared blocks are read-only by construction. Engine thread only; no allocation per
 * call except growth of the hash map.
 */
final class KvCacheBlocks {
    private static final int NONE = -1;

    private final int blockCount;
    private final int blockSize;
    private final int[] refCount;
    /** Hash of the full block's token chain, or 0 when the block holds no registered prefix. */
    private final long[] hash;
    private final boolean[] hashed;
    /** Chain hash of the prefix before each registered block, checked on lookup with its tokens. */
    private final long[] parentHash;
    /** The tokens of each registered block, to rule out hash collisions on lookup. */
    private final int[] tokens;
    // intrusive doubly linked LRU list of free blocks: head = next to allocate
    private final int[] prev;
    private final int[] next;
    private int head = NONE;
    private int tail = NONE;
    private int freeCount;
    private final Map<Long, Integer> cached = new HashMap<>();

    KvCacheBlocks(int blockCount, int blockSize) {
        if (blockCount < 1 || blockSize < 1) {
            throw new IllegalArgumentException("block pool needs >= 1 block of >= 1 slot, got " + blockCount + " x "
                    + blockSize);
        }
        this.blockCount = blockCount;
        this.blockSize = blockSize;
        this.refCount = new int[blockCount];
        this.hash = new long[blockCount];
        this.hashed = new boolean[blockCount];
        this.parentHash = new long[blockCount];
        this.tokens = new int[blockCount * blockSize];
        this.prev = new int[blockCount];
        this.next = new int[blockCount];
        for (int b = 0; b < blockCount; b++) {
            append(b);
        }
    }

    int blockCount() {
        return blockCount;
    }

    int blockSize() {
        return blockSize;
    }

    /** Blocks that can be allocated now (free, whether or not they still cache a prefix). */
    int freeBlocks() {
        return freeCount;
    }

    /** Fraction of blocks referenced by sequences. */
    double usage() {
        return 1.0 - (double) freeCount / blockCount;
    }

    /** Takes the least recently freed block (evicting its cached prefix, if any); NONE when all are in use. */
    int allocate() {
        int b = head;
        if (b == NONE) {
            return NONE;
        }
        unlink(b);
        if (hashed[b]) {
            cached.remove(hash[b]);
            hashed[b] = false;
        }
        refCount[b] = 1;
        return b;
    }

    /** Drops one reference; at zero the block joins the free queue (its cached prefix stays findable). */
    void release(int block) {
        if (refCount[block] <= 0) {
            throw new IllegalStateException("KV block " + block + " released more often than referenced");
        }
        if (--refCount[block] == 0) {
            append(block);
        }
    }

    /**
     * The cached block registered under {@code chainHash}, after the prefix hashing to
     * {@code parent}, holding {@code seqTokens[from .. from + blockSize)}; on a hit takes a
     * reference to it. NONE on a miss.
     */
    int lookup(long chainHash, long parent, int[] seqTokens, int from) {
        Integer b = cached.get(chainHash);
        if (b == null || parentHash[b] != parent || !sameTokens(b, seqTokens, from)) {
            return NONE;
        }
        if (refCount[b] == 0) {
            unlink(b);
        }
        refCount[b]++;
        return b;
    }

    /**
     * Registers a full, computed block under {@code chainHash}. A block already registered under
     * that hash (computed concurrently by another sequence) keeps the entry; this one stays private.
     */
    void register(int block, long chainHash, long parent, int[] seqTokens, int from) {
        if (hashed[block] || cached.containsKey(chainHash)) {
            return;
        }
        hashed[block] = true;
        hash[block] = chainHash;
        parentHash[block] = parent;
        System.arraycopy(seqTokens, from, tokens, block * blockSize, blockSize);
        cached.put(chainHash, block);
    }

    /** Hash of a full block's tokens chained to the hash of everything before it (0 for the first block). */
    static long chain(long parentHash, int[] seqTokens, int from, int blockSize) {
        // FNV-1a style mixing over 32-bit tokens, then a murmur finalizer; collisions are checked anyway.
        long h = parentHash ^ 0x9E3779B97F4A7C15L;
        for (int i = from; i < from + blockSize; i++) {
            h = (h ^ seqTokens[i]) * 0x100000001B3L;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }

    int refCount(int block) {
        return refCount[block];
    }

    /** Number of blocks registered in the prefix cache (referenced or not). */
    int cachedBlocks() {
        return cached.size();
    }

    private boolean sameTokens(int block, int[] seqTokens, int from) {
        int base = block * blockSize;
        for (int i = 0; i < blockSize; i++) {
            if (tokens[base + i] != seqTokens[from + i]) {
                return false;
            }
        }
        return true;
    }

    private void append(int b) {
        prev[b] = tail;
        next[b] = NONE;
        if (tail == NONE) {
            head = b;
        } else {
            next[tail] = b;
        }
        tail = b;
        freeCount++;
    }

    private void unlink(int b) {
        int p = prev[b];
        int n = next[b];
        if (p == NONE) {
            head = n;
        } else {
            next[p] = n;
        }
        if (n == NONE) {
            tail = p;
        } else {
            prev[n] = p;
        }
        prev[b] = NONE;
        next[b] = NONE;
        freeCount--;
    }

    static final int NO_BLOCK = NONE;
}
