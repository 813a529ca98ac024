package ai.sluice.grammar;

/**
 * A grammar, schema or pattern that cannot be compiled. {@link #field()} names what was wrong (a JSON
 * Schema keyword such as {@code minimum}, or {@code pattern}, {@code grammar}) so the API can say it.
 */
public final class GrammarException extends RuntimeException {
    private final String field;

    public GrammarException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The keyword or part of the input at fault. */
    public String field() {
        return field;
    }
}
