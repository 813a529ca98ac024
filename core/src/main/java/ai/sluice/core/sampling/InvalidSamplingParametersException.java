package ai.sluice.core.sampling;

/** A sampling parameter out of range; the message names the parameter, the value and the valid range. */
public final class InvalidSamplingParametersException extends IllegalArgumentException {
    public InvalidSamplingParametersException(String message) {
        super(message);
    }
}
