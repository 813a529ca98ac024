package ai.sluice.plan;

/** A planning input that cannot be satisfied or understood; the message is one actionable line. */
public final class PlanException extends RuntimeException {
    public PlanException(String message) {
        super(message);
    }

    public PlanException(String message, Throwable cause) {
        super(message, cause);
    }
}
