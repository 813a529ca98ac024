package ai.sluice.store;

/**
 * A store failure a user can act on: the message is one line that says what went wrong and what to
 * do about it (the CLI prints it as is).
 */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
