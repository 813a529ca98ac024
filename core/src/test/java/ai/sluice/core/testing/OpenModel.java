package ai.sluice.core.testing;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.LlamaModel;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelPool;

/** A real model opened for a test class: its mapped file, a 2-thread CPU backend and the weights. */
public record OpenModel(GgufFile file, CpuBackend backend, LlamaModel model) implements AutoCloseable {

    /** ../shared/models/stories260K.gguf, the tiny real Llama of the oracle. */
    public static OpenModel stories260K() {
        GgufFile file = GgufFile.open(SharedData.stories260K());
        CpuBackend backend = new CpuBackend(new KernelPool(2));
        return new OpenModel(file, backend, LlamaModel.load(file, backend));
    }

    @Override
    public void close() {
        backend.close();
        file.close();
    }
}
