package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KvCacheBlocksTest {
    private static final int[] TOKENS = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void allocatesEveryBlockOnceThenRunsOut() {
        KvCacheBlocks pool = new KvCacheBlocks(3, 4);
        int a = pool.allocate();
        int b = pool.allocate();
        int c = pool.allocate();
        assertThat(new int[] {a, b, c}).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(pool.allocate()).isEqualTo(KvCacheBlocks.NO_BLOCK);
        assertThat(pool.usage()).isEqualTo(1.0);
        pool.release(b);
        assertThat(pool.freeBlocks()).isEqualTo(1);
        assertThat(pool.allocate()).isEqualTo(b);
    }

    @Test
    void releasingMoreThanReferencedIsABug() {
        KvCacheBlocks pool = new KvCacheBlocks(1, 4);
        int a = pool.allocate();
        pool.release(a);
        assertThatThrownBy(() -> pool.release(a)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aReleasedRegisteredBlockIsFoundAgainUntilItIsReallocated() {
        KvCacheBlocks pool = new KvCacheBlocks(2, 4);
        int a = pool.allocate();
        long h = KvCacheBlocks.chain(0, TOKENS, 0, 4);
        pool.register(a, h, 0, TOKENS, 0);
        pool.release(a);
        assertThat(pool.freeBlocks()).isEqualTo(2);

        assertThat(pool.lookup(h, 0, TOKENS, 0)).isEqualTo(a);
        assertThat(pool.refCount(a)).isEqualTo(1);
        assertThat(pool.freeBlocks()).isEqualTo(1);
        pool.release(a);

        // the never-registered block is older in the LRU queue, so it goes first
        int other = pool.allocate();
        assertThat(other).isNotEqualTo(a);
        assertThat(pool.lookup(h, 0, TOKENS, 0)).isEqualTo(a);
        pool.release(other);
        pool.release(a);
        assertThat(pool.allocate()).isEqualTo(other);
        assertThat(pool.allocate()).isEqualTo(a);
        assertThat(pool.lookup(h, 0, TOKENS, 0)).as("evicted on reallocation").isEqualTo(KvCacheBlocks.NO_BLOCK);
    }

    @Test
    void lookupChecksTokensAndParentNotOnlyTheHash() {
        KvCacheBlocks pool = new KvCacheBlocks(2, 4);
        int a = pool.allocate();
        long h = KvCacheBlocks.chain(0, TOKENS, 0, 4);
        pool.register(a, h, 0, TOKENS, 0);
        assertThat(pool.lookup(h, 0, TOKENS, 4)).isEqualTo(KvCacheBlocks.NO_BLOCK);
        assertThat(pool.lookup(h, 99, TOKENS, 0)).isEqualTo(KvCacheBlocks.NO_BLOCK);
        assertThat(pool.lookup(h, 0, TOKENS, 0)).isEqualTo(a);
        assertThat(pool.refCount(a)).isEqualTo(2);
    }

    @Test
    void theSameBlockContentAtAnotherPositionHashesDifferently() {
        int[] twice = {1, 2, 3, 4, 1, 2, 3, 4};
        long first = KvCacheBlocks.chain(0, twice, 0, 4);
        long second = KvCacheBlocks.chain(first, twice, 4, 4);
        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void aDuplicateRegistrationKeepsTheFirstBlock() {
        KvCacheBlocks pool = new KvCacheBlocks(2, 4);
        int a = pool.allocate();
        int b = pool.allocate();
        long h = KvCacheBlocks.chain(0, TOKENS, 0, 4);
        pool.register(a, h, 0, TOKENS, 0);
        pool.register(b, h, 0, TOKENS, 0);
        assertThat(pool.cachedBlocks()).isEqualTo(1);
        assertThat(pool.lookup(h, 0, TOKENS, 0)).isEqualTo(a);
    }
}
