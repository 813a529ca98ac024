package ai.sluice.core.quant;

/**
 * Progress of a quantization, in elements. Called from worker threads (once per finished chunk of
 * rows), so implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface QuantizeProgress {
    QuantizeProgress NONE = (done, total, tensor) -> { };

    /**
     * @param doneElements elements written so far, over all tensors
     * @param totalElements elements in the whole file
     * @param tensor the tensor a chunk of which just finished
     */
    void update(long doneElements, long totalElements, String tensor);
}
