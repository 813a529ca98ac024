package ai.sluice.bench;

/** A problem the user can fix (bad option, unreachable server, unreadable dataset); the message is one actionable line. */
public final class BenchException extends RuntimeException {
    public BenchException(String message) {
        super(message);
    }

    public BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
