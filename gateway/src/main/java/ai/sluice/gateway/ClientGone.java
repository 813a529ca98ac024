package ai.sluice.gateway;

/** The client went away: stop, and cancel what runs upstream. */
final class ClientGone extends RuntimeException {
    ClientGone(Throwable cause) {
        super("client disconnected", cause, false, false);
    }
}
