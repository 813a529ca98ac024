package ai.sluice.cli;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.BertModel;
import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.tokenizer.Tokenizer;
import java.nio.file.Path;

/**
 * An encoder (BERT) model file opened for embedding: the mapped file, its weights on a CPU backend
 * and its tokenizer; the encoder's counterpart of {@link LoadedModel}.
 */
record LoadedEncoder(GgufFile file, Backend backend, BertModel model, Tokenizer tokenizer, AutoCloseable release)
        implements AutoCloseable {

    /** Whether {@code path} holds an encoder (read from its metadata, no weights touched). */
    static boolean isEncoder(Path path) {
        try (GgufFile file = GgufFile.open(path)) {
            return BertModel.isBert(file);
        }
    }

    static LoadedEncoder open(Path path, int threads, AutoCloseable release) {
        GgufFile file = GgufFile.open(path);
        CpuBackend backend = null;
        try {
            Tokenizer tokenizer = Tokenizer.fromGguf(file.metadata());
            backend = threads > 0 ? new CpuBackend(new KernelPool(threads)) : CpuBackend.sizedToCores();
            return new LoadedEncoder(file, backend, BertModel.load(file, backend), tokenizer, release);
        } catch (RuntimeException e) {
            if (backend != null) {
                backend.close();
            }
            file.close();
            throw e;
        }
    }

    @Override
    public void close() {
        backend.close();
        file.close();
        try {
            release.close();
        } catch (Exception ignored) {
            // a pin's lock goes with the process anyway
        }
    }
}
