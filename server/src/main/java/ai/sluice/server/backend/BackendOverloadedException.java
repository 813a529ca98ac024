package ai.sluice.server.backend;

/** The engine refused a sequence because its waiting queue is full; the client should retry later. */
public final class BackendOverloadedException extends RuntimeException {
    public BackendOverloadedException(String message) {
        super(message);
    }
}
