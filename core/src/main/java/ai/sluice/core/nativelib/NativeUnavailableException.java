package ai.sluice.core.nativelib;

/** The native library cannot run here; the message is one line that says why (shown as is by the CLI). */
public final class NativeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NativeUnavailableException(String reason) {
        super(reason);
    }
}
