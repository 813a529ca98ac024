package ai.sluice.engine;

/** A request the engine can never serve (the server answers 400 naming {@link #parameter()}). */
public final class InvalidRequestException extends EngineException {
    private final String parameter;

    public InvalidRequestException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    /** The offending request field, e.g. promptTokens, maxTokens, topLogprobs. */
    public String parameter() {
        return parameter;
    }
}
