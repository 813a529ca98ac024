package ai.sluice.server.backend;

/** Why a sequence ended, as the engine reports it. */
public enum FinishReason {
    /** End-of-sequence token or a stop token id. */
    STOP,
    /** The output reached max tokens or the context length. */
    LENGTH,
    CANCELLED,
    ERROR
}
