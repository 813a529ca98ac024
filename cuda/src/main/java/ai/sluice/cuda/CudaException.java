package ai.sluice.cuda;

/**
 * A CUDA driver call returned an error: the message names the call and the error
 * ({@code cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (out of memory)}).
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int code;
    private final String errorName;

    public CudaException(String call, int code, String errorName, String description) {
        super(call + ": " + errorName + (description == null || description.isBlank() ? "" : " (" + description + ")"));
        this.call = call;
        this.code = code;
        this.errorName = errorName;
    }

    /** The driver function that failed, as exported ({@code cuMemAlloc_v2}). */
    public String call() {
        return call;
    }

    /** The {@code CUresult}. */
    public int code() {
        return code;
    }

    /** {@code CUDA_ERROR_...}. */
    public String errorName() {
        return errorName;
    }
}
