package ai.sluice.core.tokenizer;

/** The kinds of {@code tokenizer.ggml.token_type}, numbered as GGUF writes them. */
public enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    static TokenType fromGguf(int code) {
        return code >= 1 && code <= 6 ? values()[code] : UNDEFINED;
    }
}
