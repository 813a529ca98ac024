package ai.sluice.server.serving;

import ai.sluice.core.model.Pooling;
import ai.sluice.engine.EmbeddingListener;
import ai.sluice.engine.EmbeddingRequest;
import ai.sluice.engine.EngineClosedException;
import ai.sluice.engine.EngineOverloadedException;
import ai.sluice.engine.InvalidRequestException;
import ai.sluice.engine.RequestHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Embedder} over either engine (the decoder's continuous-batching {@code Engine}, where an
 * input is a prefill-only sequence, or the {@code EncoderEngine}): names the request, applies the
 * pooling and turns the engine's refusals into the serving layer's.
 */
final class EngineEmbedder implements Embedder {
    /** How an engine takes an embedding request. */
    @FunctionalInterface
    interface Submit {
        RequestHandle embed(EmbeddingRequest request, EmbeddingListener listener);
    }

    private final int dimensions;
    private final int maxInputTokens;
    private final EmbeddingSettings settings;
    private final Submit submit;
    private final AtomicLong ids = new AtomicLong();

    EngineEmbedder(int dimensions, int maxInputTokens, EmbeddingSettings settings, Submit submit) {
        this.dimensions = dimensions;
        this.maxInputTokens = maxInputTokens;
        this.settings = settings;
        this.submit = submit;
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    @Override
    public int maxInputTokens() {
        return maxInputTokens;
    }

    @Override
    public Pooling pooling() {
        return settings.pooling();
    }

    @Override
    public boolean matryoshka() {
        return settings.matryoshka();
    }

    @Override
    public RequestHandle embed(int[] tokens, EmbeddingListener listener) {
        try {
            return submit.embed(new EmbeddingRequest("emb-" + ids.incrementAndGet(), tokens, settings.pooling(), true),
                    listener);
        } catch (EngineOverloadedException | InvalidRequestException | EngineClosedException e) {
            throw EngineServedModel.refusal(e);
        }
    }
}
