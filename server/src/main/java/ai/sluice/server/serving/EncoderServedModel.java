package ai.sluice.server.serving;

import ai.sluice.engine.EncoderEngine;
import ai.sluice.engine.GenerationListener;
import ai.sluice.engine.RequestHandle;

/**
 * {@link ServedModel} over an encoder (BERT): it only embeds, so completions and
 * chat are refused with a 400 that says so, and {@code /v1/embeddings} is its endpoint.
 */
public final class EncoderServedModel implements ServedModel {
    private final EncoderEngine engine;
    private final TokenizerCodec codec;
    private final Embedder embedder;
    private final String architecture;

    /** Serves {@code engine} (owned from now on); {@code architecture} names the model kind in refusals. */
    public EncoderServedModel(EncoderEngine engine, TokenizerCodec codec, EmbeddingSettings settings,
                              String architecture) {
        this.engine = engine;
        this.codec = codec;
        this.embedder = new EngineEmbedder(engine.embeddingLength(), engine.maxLength(), settings, engine::embed);
        this.architecture = architecture;
    }

    @Override
    public int contextLength() {
        return engine.maxLength();
    }

    @Override
    public TokenizerCodec codec() {
        return codec;
    }

    @Override
    public RequestHandle submit(GenerationSpec spec, GenerationListener listener) {
        throw new RejectedException(RejectedException.Kind.INVALID_REQUEST, "this is an embedding model ("
                + architecture + " encoder): it generates no text; use /v1/embeddings");
    }

    @Override
    public Embedder embedder() {
        return embedder;
    }

    @Override
    public ServingStats stats() {
        return EngineServedModel.stats(engine.metrics());
    }

    @Override
    public long heartbeatNanos() {
        return engine.isAlive() ? engine.lastHeartbeatNanos() : Long.MIN_VALUE / 2;
    }

    @Override
    public void close() {
        engine.close();
    }
}
