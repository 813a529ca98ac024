package ai.sluice.core.gguf;

/**
 * A GGUF file that cannot be used: bad magic, unsupported version, truncation, a tensor outside
 * the file, an unknown type or a missing key. The message is one line that names the problem and,
 * where it helps, the offset or key.
 */
public final class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(oneLine(message));
    }

    public GgufFormatException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Line breaks would split the CLI's one-line error; names from a corrupt file may contain them. */
    private static String oneLine(String message) {
        return message == null ? null : message.replace("\r", "\\r").replace("\n", "\\n");
    }
}
