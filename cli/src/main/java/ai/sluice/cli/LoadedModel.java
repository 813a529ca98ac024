package ai.sluice.cli;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A model file opened for inference: the mapped file, its weights on a backend (CPU or GPU) and its
 * tokenizer. Closing it releases the kernel threads, the mapping and then {@code release} (the model
 * cache's pin), in that order.
 */
record LoadedModel(GgufFile file, Backend backend, LlamaModel model, Tokenizer tokenizer, AutoCloseable release)
        implements AutoCloseable {

    /** Opens {@code path} with {@code threads} kernel threads (0 = one per core) of {@code kernels}. */
    static LoadedModel open(Path path, int threads, KernelChoice kernels) {
        return open(path, threads, kernels, () -> { });
    }

    /** As {@link #open(Path, int, KernelChoice)}; {@code release} runs after the mapping is gone. */
    static LoadedModel open(Path path, int threads, KernelChoice kernels, AutoCloseable release) {
        return open(path, () -> BackendSelection.open(BackendChoice.CPU, threads, kernels), release);
    }

    /** Opens {@code path} on the backend {@code backends} opens (after the file and tokenizer are read). */
    static LoadedModel open(Path path, Supplier<Backend> backends, AutoCloseable release) {
        GgufFile file = GgufFile.open(path);
        Backend backend = null;
        try {
            Tokenizer tokenizer = Tokenizer.fromGguf(file.metadata());
            backend = backends.get();
            LlamaModel model = LlamaModel.load(file, backend);
            return new LoadedModel(file, backend, model, tokenizer, release);
        } catch (RuntimeException e) {
            if (backend != null) {
                closeQuietly(backend);
            }
            file.close();
            throw e;
        }
    }

    @Override
    public void close() {
        closeQuietly(backend);
        file.close();
        try {
            release.close();
        } catch (Exception ignored) {
            // a pin's lock goes with the process anyway
        }
    }

    private static void closeQuietly(Backend backend) {
        try {
            backend.close();
        } catch (Exception ignored) {
            // shutting down: nothing useful to do with a failure here
        }
    }
}
