package ai.sluice.cli;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.tensor.KernelChoice;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of every command that runs a model: which model, backend, kernel threads and kind, KV cache type. */
final class ModelOptions {
    @Mixin
    ModelSourceOptions source;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "Kernel threads (default: one per core).")
    int threads;

    @Option(names = "--kernels", defaultValue = "auto", paramLabel = "K",
            description = "Q8_0/Q4_0 and F16-attention kernels: auto (native where the library loads, else java), java (Vector API) "
                    + "or native (an error where it cannot load). Same results either way (default: ${DEFAULT-VALUE}).")
    KernelChoice kernels;

    // cpu by default: the CUDA backend has not yet run on a GPU (its device check is prepared, not
    // run), so a GPU machine should not start on it unasked; auto becomes the default once it has
    @Option(names = "--backend", defaultValue = "cpu", paramLabel = "B",
            description = "What runs the model: cpu, cuda (GPU 0; an error where there is none) or auto (CUDA where "
                    + "a driver, a GPU and the kernels load, else cpu). The choice is logged (default: ${DEFAULT-VALUE}).")
    BackendChoice backend;

    @Option(names = {"--kv-type", "--kv-cache-type"}, paramLabel = "T",
            description = "KV cache element type: f16 or f32 (default: f16 for serve, as llama.cpp and Ollama; "
                    + "f32 for generate and the benchmarks).")
    KvType kvType;

    /** The KV type asked for, or this command's default. */
    KvType kvTypeOr(KvType commandDefault) {
        return kvType != null ? kvType : commandDefault;
    }

    Path file() {
        return source.file();
    }

    String name() {
        return source.name();
    }

    /** Whether the model is an encoder (BERT), which only embeds; pulls it if need be. */
    boolean isEncoder() {
        return LoadedEncoder.isEncoder(file());
    }

    /** Maps an encoder model (see {@link #isEncoder()}). */
    LoadedEncoder loadEncoder() {
        if (backend == BackendChoice.CUDA) {
            throw new IllegalArgumentException("--backend cuda: encoder models (BERT) run on the CPU backend only");
        }
        return LoadedEncoder.open(file(), threads, source::release);
    }

    /** Pulls the model if need be, then maps it. */
    LoadedModel load() {
        return LoadedModel.open(file(), () -> BackendSelection.open(backend, threads, kernels), source::release);
    }
}
