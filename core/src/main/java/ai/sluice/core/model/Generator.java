package ai.sluice.core.model;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.tensor.SlotMapping;
import ai.sluice.core.tensor.KvStore;
import java.util.ArrayList;
import java.util.List;

/**
 * One sequence on its own contiguous KV cache: the CLI's path. {@link #prompt} runs the prompt as
 * one batch and returns the logits after its last token; {@link #next} appends one token and
 * returns the logits after it. The returned array is reused: copy it to keep it past the next call.
 */
public final class Generator implements AutoCloseable {
    /** Prompt tokens per internal forward step; bounds the scratch memory of long prompts. */
    private static final int PREFILL_CHUNK = 512;

    private final LlamaModel model;
    private final KvStore kv;
    private final ForwardPass pass;
    private final SlotMapping slots = new ContiguousSlots(0);
    private final float[] logits;
    private final List<BatchEntry> one = new ArrayList<>(1);
    private int position;

    Generator(LlamaModel model, int contextLength, KvType kvType) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be >= 1, got " + contextLength);
        }
        this.model = model;
        this.kv = model.allocateKv(contextLength, kvType);
        this.pass = model.newForwardPass(Math.min(PREFILL_CHUNK, contextLength));
        this.logits = new float[model.vocabSize()];
    }

    /** Clears the sequence and runs {@code tokens} (non-empty) from position 0; returns the last logits. */
    public float[] prompt(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("the prompt must hold at least one token");
        }
        position = 0;
        checkRoom(tokens.length);
        List<BatchEntry> batch = new ArrayList<>(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            batch.add(new BatchEntry(tokens[i], i, slots, i == tokens.length - 1));
        }
        pass.forward(batch, kv, logits);
        position = tokens.length;
        return logits;
    }

    /** Appends {@code token} at the next position; returns the logits after it. */
    public float[] next(int token) {
        checkRoom(1);
        one.clear();
        one.add(new BatchEntry(token, position, slots, true));
        pass.forward(one, kv, logits);
        position++;
        return logits;
    }

    /** Tokens held so far (prompt plus appended). */
    public int position() {
        return position;
    }

    public int contextLength() {
        return kv.slots();
    }

    public LlamaModel model() {
        return model;
    }

    private void checkRoom(int tokens) {
        if (position + tokens > kv.slots()) {
            throw new ContextFullException(position + tokens, kv.slots());
        }
    }

    @Override
    public void close() {
        pass.close();
        kv.close();
    }
}
