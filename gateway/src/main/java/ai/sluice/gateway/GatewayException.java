package ai.sluice.gateway;

/** A problem the operator can fix (bad config field, port in use); the message is one actionable line. */
public final class GatewayException extends RuntimeException {
    public GatewayException(String message) {
        super(message);
    }
}
