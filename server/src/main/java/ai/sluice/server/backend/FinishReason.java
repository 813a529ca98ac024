package ai.sluice.server.backend;

/** Why a sequence ended, as the engine reports it. */
public enum FinishReason {
    /** End-of-sequence token, a stop token id or a stop string. */
    STOP,
    /** The output reached max tokens or the context length. */
    LENGTH,
    CANCELLED,
    ERROR
}
