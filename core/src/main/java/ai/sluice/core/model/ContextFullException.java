package ai.sluice.core.model;

/** A sequence that would grow past its context length. */
public final class ContextFullException extends RuntimeException {
    public ContextFullException(int needed, int contextLength) {
        super("the sequence needs " + needed + " positions but the context holds " + contextLength
                + " (raise the context length or shorten the prompt)");
    }
}
