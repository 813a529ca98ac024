package ai.sluice.engine;

/** The engine cannot start with this configuration (e.g. the KV budget cannot hold one full-length sequence). */
public final class EngineConfigurationException extends EngineException {
    public EngineConfigurationException(String message) {
        super(message);
    }
}
