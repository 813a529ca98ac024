package ai.sluice.engine;

import ai.sluice.core.tensor.KvType;
import java.util.List;

/**
 * A fake model for engine tests whose next token depends on every earlier token as read back
 * through the KV slots: each forward writes the entry's token into its slot, then hashes the
 * tokens in slots 0..position of the sequence. Wrong block tables, wrongly shared prefix blocks or
 * lost K/V change the output, just as with a real model.
 */
final class HashChainRunner implements ModelRunner {
    static final int POISON = 13;

    private final int vocab;
    private final int context;
    private int[] kv;
    int forwards;
    int maxEntries;
    boolean closed;
    /** A token that makes a forward pass throw when it is at {@link #POISON_POSITION} (the engine must isolate it). */
    int poison = -1;
    static final int POISON_POSITION = 5;

    HashChainRunner(int vocab, int context) {
        this.vocab = vocab;
        this.context = context;
    }

    /** The next token after {@code tokens[0 .. n)}, computed without any cache. */
    static int next(int[] tokens, int n, int vocab) {
        long h = 17;
        for (int i = 0; i < n; i++) {
            h = h * 31 + tokens[i] + 7L * i;
        }
        return (int) Math.floorMod(h ^ (h >>> 17), (long) vocab);
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int contextLength() {
        return context;
    }

    @Override
    public long kvBytesPerToken(KvType type) {
        return 4L * 2 * type.bytesPerElement();
    }

    @Override
    public long availableMemoryBytes() {
        return 1L << 30;
    }

    @Override
    public void allocateKvCache(int slots, KvType type) {
        kv = new int[slots];
        java.util.Arrays.fill(kv, -1);
    }

    @Override
    public void forward(List<Entry> batch, float[] logits) {
        forwards++;
        maxEntries = Math.max(maxEntries, batch.size());
        for (Entry e : batch) {
            if (e.token() == poison && e.position() == POISON_POSITION) {
                throw new IllegalStateException("poisoned token " + poison);
            }
        }
        // like the real model: write all K/V first, then attend
        for (Entry e : batch) {
            kv[e.slots().slot(e.position())] = e.token();
        }
        int row = 0;
        int[] history = new int[context];
        for (Entry e : batch) {
            if (!e.wantsLogits()) {
                continue;
            }
            for (int p = 0; p <= e.position(); p++) {
                history[p] = kv[e.slots().slot(p)];
            }
            int next = next(history, e.position() + 1, vocab);
            for (int i = 0; i < vocab; i++) {
                logits[row * vocab + i] = i == next ? 5f : (float) Math.sin(i) ;
            }
            row++;
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
