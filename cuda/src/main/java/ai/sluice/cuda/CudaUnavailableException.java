package ai.sluice.cuda;

/**
 * CUDA cannot run here: no driver library, no GPU, or no kernels in this build. The message is one
 * line a user can act on (the CLI prints it as is), like core's {@code NativeUnavailableException}.
 */
public final class CudaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaUnavailableException(String reason) {
        super(reason);
    }
}
