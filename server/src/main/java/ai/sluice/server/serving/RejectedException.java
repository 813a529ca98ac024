package ai.sluice.server.serving;

/** The engine refused a sequence for a reason other than load. */
public final class RejectedException extends RuntimeException {
    /** Why: the request itself is wrong, or the engine cannot take work at all. */
    public enum Kind {
        INVALID_REQUEST,
        UNAVAILABLE
    }

    private final Kind kind;
    private final String parameter;

    public RejectedException(Kind kind, String message) {
        this(kind, message, null);
    }

    /** @param parameter the engine's name of the offending request field (e.g. resumedTokens), or null */
    public RejectedException(Kind kind, String message, String parameter) {
        super(message);
        this.kind = kind;
        this.parameter = parameter;
    }

    /** The engine's name of the offending field, or null. */
    public String parameter() {
        return parameter;
    }

    public Kind kind() {
        return kind;
    }
}
