package ai.sluice.engine;

/** Base of the engine's own exceptions; every message says what to change. */
public abstract sealed class EngineException extends RuntimeException
        permits EngineConfigurationException, EngineOverloadedException, EngineClosedException, InvalidRequestException {

    protected EngineException(String message) {
        super(message);
    }
}
