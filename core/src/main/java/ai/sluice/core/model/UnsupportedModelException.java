package ai.sluice.core.model;

/** A model file Sluice cannot run: an unknown architecture, an unsupported RoPE scaling, a bad shape. */
public final class UnsupportedModelException extends RuntimeException {
    public UnsupportedModelException(String message) {
        super(message);
    }
}
