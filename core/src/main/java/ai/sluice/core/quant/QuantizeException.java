package ai.sluice.core.quant;

/** A quantization that cannot be done; the message is one line a user can act on. */
public class QuantizeException extends RuntimeException {
    public QuantizeException(String message) {
        super(message);
    }

    public QuantizeException(String message, Throwable cause) {
        super(message, cause);
    }
}
