package ai.sluice.core.gguf;

/**
 * A GGUF file that cannot be used: bad magic, unsupported version, truncation, a tensor outside
 * the file, an unknown type or a missing key. The message is one line that names the problem and,
 * where it helps, the offset or key.
 */
public final class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
