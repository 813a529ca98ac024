package ai.sluice.engine;

/**
 * Turns generated token ids into text, so the engine can stream text deltas and find stop strings
 * without knowing the tokenizer. The server adapts its tokenizer's stream decoder to it, e.g.
 * {@code () -> { var d = tokenizer.newStreamDecoder(); return new TextStream() { ... }; }}.
 *
 * <p>Implementations must be thread-safe; each stream is used by the engine thread only.
 */
@FunctionalInterface
public interface Detokenizer {

    /** A fresh decoder for one generated sequence (its first token is the first generated one). */
    TextStream newStream();

    /** Incremental decoding of one sequence. */
    interface TextStream {
        /** Adds one token; returns the text that became complete (empty while a character is unfinished). */
        String push(int token);

        /** Whatever is still held back, at the end of the sequence. */
        default String flush() {
            return "";
        }
    }

    /** A detokenizer that produces no text (token-only clients, benchmarks); stop strings never match. */
    static Detokenizer none() {
        return () -> token -> "";
    }
}
