package ai.sluice.server.serving;

/** The engine refused a sequence for a reason other than load. */
public final class RejectedException extends RuntimeException {
    /** Why: the request itself is wrong, or the engine cannot take work at all. */
    public enum Kind {
        INVALID_REQUEST,
        UNAVAILABLE
    }

    private final Kind kind;

    public RejectedException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
