package ai.sluice.engine;

/** Submit after {@link Engine#close()} or after the engine loop died (the server answers 503). */
public final class EngineClosedException extends EngineException {
    public EngineClosedException(String message) {
        super(message);
    }
}
