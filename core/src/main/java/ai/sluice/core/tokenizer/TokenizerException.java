package ai.sluice.core.tokenizer;

/** A tokenizer cannot be built from the given metadata, or was asked something it cannot answer. */
public final class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
