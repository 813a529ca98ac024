package ai.sluice.server;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tokenizer.Tokenizer;
import ai.sluice.engine.Detokenizer;
import ai.sluice.engine.Engine;
import ai.sluice.engine.EngineConfig;
import ai.sluice.engine.LlamaRunner;
import ai.sluice.server.backend.BackendStats;
import ai.sluice.server.backend.EngineBackend;
import ai.sluice.server.backend.Generation;
import ai.sluice.server.backend.GenerationSpec;
import ai.sluice.server.backend.InferenceBackend;
import ai.sluice.server.backend.TokenListener;
import ai.sluice.server.backend.TokenizerCodec;

import java.util.Set;

/** The real engine on the real stories260K model, as the server tests' backend. */
public final class StoriesEngine implements InferenceBackend {
    private final GgufFile file;
    private final Backend compute;
    private final EngineBackend backend;

    public StoriesEngine(int maxNumSeqs) {
        this.file = GgufFile.open(TestData.stories260K());
        this.compute = CpuBackend.sizedToCores();
        Tokenizer tokenizer = Tokenizer.fromGguf(file.metadata());
        LlamaModel model = LlamaModel.load(file, compute);
        EngineConfig config = EngineConfig.builder().kvCacheBytes(16L << 20).maxNumSeqs(maxNumSeqs)
                .maxBatchedTokens(256).detokenizer(Detokenizer.of(tokenizer))
                .eosTokenIds(Set.of(tokenizer.vocabulary().eosId())).build();
        Engine engine = Engine.start(new LlamaRunner(model), config);
        this.backend = new EngineBackend(engine, new TokenizerCodec(tokenizer, null));
    }

    public Engine engine() {
        return backend.engine();
    }

    @Override
    public int contextLength() {
        return backend.contextLength();
    }

    @Override
    public TokenizerCodec codec() {
        return backend.codec();
    }

    @Override
    public Generation submit(GenerationSpec spec, TokenListener listener) {
        return backend.submit(spec, listener);
    }

    @Override
    public BackendStats stats() {
        return backend.stats();
    }

    @Override
    public long heartbeatNanos() {
        return backend.heartbeatNanos();
    }

    @Override
    public java.util.Map<String, String> cacheConfig() {
        return backend.cacheConfig();
    }

    @Override
    public void close() {
        backend.close();
        try {
            compute.close();
        } catch (Exception ignored) {
            // test teardown
        }
        file.close();
    }
}
