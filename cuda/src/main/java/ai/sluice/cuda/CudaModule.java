package ai.sluice.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernels' fatbin loaded into a context ({@code cuModuleLoadData}), launching on one stream. The
 * driver picks the image for the GPU: sm_80 or sm_90 machine code, else the compute_90 PTX compiled
 * at load; a GPU older than all of them fails here with {@code CUDA_ERROR_NO_BINARY_FOR_GPU}.
 */
public final class CudaModule implements KernelLauncher, AutoCloseable {
    private final CudaContext context;
    private final long module;
    private final long stream;
    private final Map<String, Long> functions = new HashMap<>();

    private CudaModule(CudaContext context, byte[] image, long stream) {
        this.context = context;
        this.stream = stream;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment copy = a.allocate(image.length, 64);
            copy.copyFrom(MemorySegment.ofArray(image));
            this.module = context.driver().moduleLoadData(copy);
        }
    }

    /** The build's fatbin, launching on the default stream. */
    public static CudaModule load(CudaContext context) {
        return new CudaModule(context, Fatbin.load(), 0L);
    }

    private long function(String name) {
        Long f = functions.get(name);
        if (f == null) {
            f = context.driver().moduleFunction(module, name);
            functions.put(name, f);
        }
        return f;
    }

    @Override
    public void launch(String kernel, int gridX, int gridY, int threads, Object... args) {
        long f = function(kernel);
        try (Arena a = Arena.ofConfined()) {
            context.driver().launch(f, gridX, gridY, 1, threads, 1, 1, 0, stream, KernelArgs.pack(a, args));
        }
    }

    /** Waits for this module's stream. */
    public void synchronize() {
        context.driver().streamSynchronize(stream);
    }

    /** The stream its launches go to (0: the default stream). */
    public long stream() {
        return stream;
    }

    @Override
    public void close() {
        context.driver().moduleUnload(module);
    }
}
