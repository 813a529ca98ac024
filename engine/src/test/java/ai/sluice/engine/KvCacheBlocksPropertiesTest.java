package ai.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The block pool against a plain model of it (reference counts, an LRU queue of free blocks, a map
 * of cached prefixes), over random sequences of allocate, release, register and lookup.
 */
class KvCacheBlocksPropertiesTest {
    private static final int SIZE = 4;
    /** A few distinct block contents, so that lookups hit, miss and collide on purpose. */
    private static final int CONTENTS = 5;

    @Provide
    Arbitrary<List<int[]>> operations() {
        Arbitrary<int[]> op = Arbitraries.integers().between(0, 3)
                .flatMap(kind -> Arbitraries.integers().between(0, 1000).map(arg -> new int[] {kind, arg}));
        return op.list().ofMinSize(1).ofMaxSize(80);
    }

    private static int[] content(int c) {
        return new int[] {c, c + 1, c + 2, c + 3};
    }

    /** The model: what the pool must do, written the obvious way. */
    private static final class Model {
        final int[] refs;
        final Deque<Integer> free = new ArrayDeque<>();
        final Map<Long, Integer> cached = new HashMap<>();
        final Map<Integer, Long> hashOf = new HashMap<>();
        final List<Integer> held = new ArrayList<>();

        Model(int blocks) {
            refs = new int[blocks];
            for (int b = 0; b < blocks; b++) {
                free.addLast(b);
            }
        }
    }

    @Property(tries = 200)
    void behavesLikeTheModel(@ForAll @IntRange(min = 1, max = 6) int blocks,
                             @ForAll("operations") List<int[]> ops) {
        KvCacheBlocks pool = new KvCacheBlocks(blocks, SIZE);
        Model m = new Model(blocks);
        for (int[] op : ops) {
            int arg = op[1];
            switch (op[0]) {
                case 0 -> { // allocate
                    int got = pool.allocate();
                    if (m.free.isEmpty()) {
                        assertThat(got).isEqualTo(KvCacheBlocks.NO_BLOCK);
                    } else {
                        int expected = m.free.removeFirst();
                        assertThat(got).as("least recently freed").isEqualTo(expected);
                        Long h = m.hashOf.remove(expected);
                        if (h != null) {
                            m.cached.remove(h);
                        }
                        m.refs[expected] = 1;
                        m.held.add(expected);
                    }
                }
                case 1 -> { // release one held reference
                    if (!m.held.isEmpty()) {
                        int b = m.held.remove(arg % m.held.size());
                        pool.release(b);
                        if (--m.refs[b] == 0) {
                            m.free.addLast(b);
                        }
                    }
                }
                case 2 -> { // register a held block under one of the contents
                    if (!m.held.isEmpty()) {
                        int b = m.held.get(arg % m.held.size());
                        int[] tokens = content(arg % CONTENTS);
                        long h = KvCacheBlocks.chain(0, tokens, 0, SIZE);
                        pool.register(b, h, 0, tokens, 0);
                        if (!m.hashOf.containsKey(b) && !m.cached.containsKey(h)) {
                            m.hashOf.put(b, h);
                            m.cached.put(h, b);
                        }
                    }
                }
                default -> { // look a content up
                    int[] tokens = content(arg % CONTENTS);
                    long h = KvCacheBlocks.chain(0, tokens, 0, SIZE);
                    int got = pool.lookup(h, 0, tokens, 0);
                    Integer expected = m.cached.get(h);
                    if (expected == null) {
                        assertThat(got).isEqualTo(KvCacheBlocks.NO_BLOCK);
                    } else {
                        assertThat(got).isEqualTo(expected);
                        if (m.refs[expected]++ == 0) {
                            m.free.remove(expected);
                        }
                        m.held.add(expected);
                    }
                    // the same hash with another parent or other tokens never hits
                    assertThat(pool.lookup(h, 1, tokens, 0)).isEqualTo(KvCacheBlocks.NO_BLOCK);
                    int[] other = tokens.clone();
                    other[SIZE - 1] = -7;
                    assertThat(pool.lookup(h, 0, other, 0)).isEqualTo(KvCacheBlocks.NO_BLOCK);
                }
            }
            assertThat(pool.freeBlocks()).isEqualTo(m.free.size());
            assertThat(pool.cachedBlocks()).isEqualTo(m.cached.size());
            assertThat(pool.usage()).isEqualTo(1.0 - (double) m.free.size() / blocks);
            for (int b = 0; b < blocks; b++) {
                assertThat(pool.refCount(b)).as("references of block %d", b).isEqualTo(m.refs[b]);
            }
        }
        // everything released: the pool is empty again and the free queue keeps the model's order
        for (int b : m.held) {
            pool.release(b);
            if (--m.refs[b] == 0) {
                m.free.addLast(b);
            }
        }
        assertThat(pool.freeBlocks()).isEqualTo(blocks);
        for (int expected : m.free) {
            assertThat(pool.allocate()).isEqualTo(expected);
        }
        assertThat(pool.allocate()).isEqualTo(KvCacheBlocks.NO_BLOCK);
    }

    @Property(tries = 100)
    void theChainHashDependsOnEveryTokenAndTheParent(@ForAll("block") int[] tokens,
                                                     @ForAll @IntRange(min = 0, max = SIZE - 1) int at,
                                                     @ForAll long parent) {
        long h = KvCacheBlocks.chain(parent, tokens, 0, SIZE);
        int[] changed = tokens.clone();
        changed[at]++;
        assertThat(KvCacheBlocks.chain(parent, changed, 0, SIZE)).isNotEqualTo(h);
        assertThat(KvCacheBlocks.chain(parent + 1, tokens, 0, SIZE)).isNotEqualTo(h);
        // reads exactly [from, from + size)
        int[] shifted = new int[SIZE + 2];
        System.arraycopy(tokens, 0, shifted, 1, SIZE);
        shifted[0] = 99;
        shifted[SIZE + 1] = -99;
        assertThat(KvCacheBlocks.chain(parent, shifted, 1, SIZE)).isEqualTo(h);
    }

    @Provide
    Arbitrary<int[]> block() {
        return Arbitraries.integers().between(-1000, 1000).array(int[].class).ofSize(SIZE);
    }

    @Example
    void rejectsAnEmptyPoolOrEmptyBlocks() {
        assertThatThrownBy(() -> new KvCacheBlocks(0, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 x 4");
        assertThatThrownBy(() -> new KvCacheBlocks(4, 0)).isInstanceOf(IllegalArgumentException.class);
        KvCacheBlocks one = new KvCacheBlocks(1, 1);
        assertThat(one.blockCount()).isEqualTo(1);
        assertThat(one.blockSize()).isEqualTo(1);
        assertThat(one.allocate()).isZero();
        assertThat(one.usage()).isEqualTo(1.0);
    }
}
