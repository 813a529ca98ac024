package ai.sluice.server;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tokenizer.Tokenizer;
import ai.sluice.engine.Detokenizer;
import ai.sluice.engine.Engine;
import ai.sluice.engine.EngineConfig;
import ai.sluice.engine.SchedulingPolicy;
import ai.sluice.engine.LlamaRunner;
import ai.sluice.server.serving.Embedder;
import ai.sluice.server.serving.EmbeddingSettings;
import ai.sluice.server.serving.ServingStats;
import ai.sluice.server.serving.EngineServedModel;
import ai.sluice.engine.RequestHandle;
import ai.sluice.server.serving.GenerationSpec;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.engine.GenerationListener;
import ai.sluice.server.serving.TokenizerCodec;

import java.util.Set;

/** The real engine on the real stories260K model, as the server tests' served model. */
public final class StoriesEngine implements ServedModel {
    private final GgufFile file;
    private final Backend compute;
    private final EngineServedModel servedModel;

    public StoriesEngine(int maxNumSeqs) {
        this(maxNumSeqs, EmbeddingSettings.DEFAULT);
    }

    /** As {@link #StoriesEngine(int)}, embedding as {@code embeddings} says. */
    public StoriesEngine(int maxNumSeqs, EmbeddingSettings embeddings) {
        this(maxNumSeqs, embeddings, SchedulingPolicy.FCFS);
    }

    /** As {@link #StoriesEngine(int)}, admitting requests as {@code policy} says. */
    public StoriesEngine(int maxNumSeqs, SchedulingPolicy policy) {
        this(maxNumSeqs, EmbeddingSettings.DEFAULT, policy);
    }

    private StoriesEngine(int maxNumSeqs, EmbeddingSettings embeddings, SchedulingPolicy policy) {
        this.file = GgufFile.open(TestData.stories260K());
        this.compute = CpuBackend.sizedToCores();
        Tokenizer tokenizer = Tokenizer.fromGguf(file.metadata());
        LlamaModel model = LlamaModel.load(file, compute);
        EngineConfig config = EngineConfig.builder().kvCacheBytes(16L << 20).maxNumSeqs(maxNumSeqs)
                .maxBatchedTokens(256).schedulingPolicy(policy).detokenizer(Detokenizer.of(tokenizer))
                .eosTokenIds(Set.of(tokenizer.vocabulary().eosId())).build();
        Engine engine = Engine.start(new LlamaRunner(model), config);
        this.servedModel = new EngineServedModel(engine, new TokenizerCodec(tokenizer, null), embeddings);
    }

    public Engine engine() {
        return servedModel.engine();
    }

    @Override
    public int contextLength() {
        return servedModel.contextLength();
    }

    @Override
    public TokenizerCodec codec() {
        return servedModel.codec();
    }

    @Override
    public RequestHandle submit(GenerationSpec spec, GenerationListener listener) {
        return servedModel.submit(spec, listener);
    }

    @Override
    public boolean schedulesByPriority() {
        return servedModel.schedulesByPriority();
    }

    @Override
    public Embedder embedder() {
        return servedModel.embedder();
    }

    @Override
    public ServingStats stats() {
        return servedModel.stats();
    }

    @Override
    public long heartbeatNanos() {
        return servedModel.heartbeatNanos();
    }

    @Override
    public java.util.Map<String, String> cacheConfig() {
        return servedModel.cacheConfig();
    }

    @Override
    public void close() {
        servedModel.close();
        try {
            compute.close();
        } catch (Exception ignored) {
            // test teardown
        }
        file.close();
    }
}
