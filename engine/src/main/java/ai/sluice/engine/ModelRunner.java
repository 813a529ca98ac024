package ai.sluice.engine;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.tensor.SlotMapping;
import java.util.List;

/**
 * The engine's view of a model: a batched forward pass over a pool of KV slots. The engine decides
 * which slot holds which position of which sequence (its paged block tables); the runner only
 * computes. {@link Engine} owns the runner it is started with and closes it.
 *
 * <p>Called from the engine thread only.
 */
public interface ModelRunner extends AutoCloseable {

    /** Number of logits per row. */
    int vocabSize();

    /** The model's trained context length (the default maxModelLen). */
    int contextLength();

    /** Bytes one KV slot (one token's K and V over all layers) takes with {@code type}. */
    long kvBytesPerToken(KvType type);

    /** Memory the KV cache may use, for {@link KvCacheBudget.Fraction} budgets. */
    long availableMemoryBytes();

    /** Allocates the KV pool once, before the first forward pass. */
    void allocateKvCache(int slots, KvType type);

    /**
     * Runs {@code batch} through the model. Entries of one sequence appear in position order; an
     * entry attends to positions 0..position of its sequence, whose K/V were written by earlier
     * calls or by earlier entries of this call. Writes the logits of the {@code i}-th entry that
     * wants them to {@code logits[i * vocab .. (i + 1) * vocab)}.
     */
    void forward(List<Entry> batch, float[] logits);

    /**
     * Width of the final hidden state that embeddings pool; 0 where this runner cannot give it
     * (then the engine refuses embedding requests).
     */
    default int hiddenSize() {
        return 0;
    }

    /**
     * As {@link #forward(List, float[])}, also writing every entry's final hidden state (after the
     * output norm) to {@code hidden[i * hiddenSize() ..]} when {@code hidden} is not null.
     */
    default void forward(List<Entry> batch, float[] logits, float[] hidden) {
        if (hidden != null) {
            throw new UnsupportedOperationException("this model runner gives no hidden states");
        }
        forward(batch, logits);
    }

    /** Frees the KV pool. */
    @Override
    void close();

    /**
     * Where one sequence's positions live: {@code slot(p)} is the KV slot of position {@code p}. It
     * is core's {@link SlotMapping}, so the engine's block tables go to the model without adapters.
     */
    @FunctionalInterface
    interface SlotMap extends SlotMapping {
        @Override
        int slot(int position);
    }

    /** One token of one sequence in a forward pass. */
    record Entry(int token, int position, SlotMap slots, boolean wantsLogits) {
    }
}
