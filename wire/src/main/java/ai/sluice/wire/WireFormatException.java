package ai.sluice.wire;

/** Bytes from the other end that do not follow the OpenAI wire format; the message quotes (abbreviated) what came. */
public final class WireFormatException extends RuntimeException {
    public WireFormatException(String message) {
        super(message);
    }
}
