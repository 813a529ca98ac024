package ai.sluice.server.serving;

import ai.sluice.core.model.Pooling;
import ai.sluice.engine.EmbeddingListener;
import ai.sluice.engine.EmbeddingRequest;
import ai.sluice.engine.Engine;
import ai.sluice.engine.EngineClosedException;
import ai.sluice.engine.EngineOverloadedException;
import ai.sluice.engine.InvalidRequestException;
import ai.sluice.engine.RequestHandle;
import java.util.concurrent.atomic.AtomicLong;

/** {@link Embedder} over the continuous-batching engine: each input is a prefill-only sequence. */
final class EngineEmbedder implements Embedder {
    private final Engine engine;
    private final EmbeddingSettings settings;
    private final AtomicLong ids;

    EngineEmbedder(Engine engine, EmbeddingSettings settings, AtomicLong ids) {
        this.engine = engine;
        this.settings = settings;
        this.ids = ids;
    }

    @Override
    public int dimensions() {
        return engine.embeddingLength();
    }

    @Override
    public int maxInputTokens() {
        return engine.maxModelLen();
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
            return engine.embed(new EmbeddingRequest("emb-" + ids.incrementAndGet(), tokens, settings.pooling(), true),
                    listener);
        } catch (EngineOverloadedException | InvalidRequestException | EngineClosedException e) {
            throw EngineServedModel.refusal(e);
        }
    }
}
