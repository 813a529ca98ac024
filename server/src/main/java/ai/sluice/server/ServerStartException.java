package ai.sluice.server;

/** The server could not start listening (the port is taken, or the address is not this host's). */
public final class ServerStartException extends RuntimeException {
    public ServerStartException(String message) {
        super(message);
    }
}
