package ai.sluice.engine;

import ai.sluice.core.model.Pooling;
import java.util.Arrays;

/**
 * The pooling state of one embedding sequence inside the engine, and the adapter that turns the
 * engine's ordinary end of a sequence into {@link EmbeddingListener} calls.
 *
 * <p>Hidden states arrive in position order, chunk by chunk, over however many steps the scheduler
 * spreads the prefill. They are folded in position order only (a position already folded is
 * skipped, so a chunk re-run after a failed batch is not counted twice, and position 0 restarts
 * the state, as a preempted sequence recomputes from scratch), so the result does not depend on
 * how the prompt was chunked or batched. Mean pooling sums in double. Engine thread only.
 */
final class PooledEmbedding implements GenerationListener {
    private final Pooling pooling;
    private final boolean normalize;
    private final int dim;
    private final int length;
    private final EmbeddingListener listener;
    private final double[] sum;
    private final float[] picked;
    private int pooledUpTo;

    PooledEmbedding(EmbeddingRequest request, int dim, EmbeddingListener listener) {
        this.pooling = request.pooling();
        this.normalize = request.normalize();
        this.dim = dim;
        this.length = request.tokensUnsafe().length;
        this.listener = listener;
        this.sum = pooling == Pooling.MEAN ? new double[dim] : null;
        this.picked = pooling == Pooling.MEAN ? null : new float[dim];
    }

    /** Folds in the hidden state of {@code position}, found at {@code hidden[off .. off + dim)}. */
    void accept(int position, float[] hidden, int off) {
        if (position == 0) {
            pooledUpTo = 0;
            if (sum != null) {
                Arrays.fill(sum, 0);
            }
        }
        if (position != pooledUpTo) {
            return;
        }
        switch (pooling) {
            case MEAN -> {
                for (int i = 0; i < dim; i++) {
                    sum[i] += hidden[off + i];
                }
            }
            case CLS -> {
                if (position == 0) {
                    System.arraycopy(hidden, off, picked, 0, dim);
                }
            }
            case LAST -> {
                if (position == length - 1) {
                    System.arraycopy(hidden, off, picked, 0, dim);
                }
            }
        }
        pooledUpTo++;
    }

    /** Whether every position has been folded in. */
    boolean complete() {
        return pooledUpTo == length;
    }

    /** The pooled vector, normalised if asked. */
    float[] result() {
        float[] out = new float[dim];
        if (sum != null) {
            for (int i = 0; i < dim; i++) {
                out[i] = (float) (sum[i] / length);
            }
        } else {
            System.arraycopy(picked, 0, out, 0, dim);
        }
        return normalize ? EmbeddingMath.l2Normalized(out) : out;
    }

    @Override
    public void onToken(int token, String textDelta, TokenLogprobs logprobs) {
        throw new IllegalStateException("an embedding sequence samples no tokens");
    }

    @Override
    public void onFinish(FinishReason reason, String finalText, Usage usage) {
        if (reason instanceof FinishReason.Stop && complete()) {
            listener.onEmbedding(result(), length);
        } else if (reason instanceof FinishReason.Stop) {
            listener.onFailure(new FinishReason.Error("the embedding finished before every token was pooled"));
        } else {
            listener.onFailure(reason);
        }
    }
}
