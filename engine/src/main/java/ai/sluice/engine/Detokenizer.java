package ai.sluice.engine;

import ai.sluice.core.tokenizer.StreamDecoder;
import ai.sluice.core.tokenizer.Tokenizer;

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

    /**
     * A fresh decoder for the output that follows {@code promptTokens} (what the engine calls).
     * Override it when the text of the first generated token depends on the prompt (a SentencePiece
     * leading space is dropped only at the start of the text); the default ignores the prompt.
     */
    default TextStream newStream(int[] promptTokens) {
        return newStream();
    }

    /**
     * The detokenizer of a core {@link Tokenizer}: its stream decoder, primed with the prompt
     * (without a leading BOS, as llama.cpp detokenizes) so the output's text is exactly the text of
     * prompt plus output minus the text of the prompt.
     */
    static Detokenizer of(Tokenizer tokenizer) {
        return new Detokenizer() {
            @Override
            public TextStream newStream() {
                return newStream(new int[0]);
            }

            @Override
            public TextStream newStream(int[] promptTokens) {
                StreamDecoder decoder = tokenizer.newStreamDecoder();
                int bos = tokenizer.vocabulary().bosId();
                int from = promptTokens.length > 0 && promptTokens[0] == bos ? 1 : 0;
                for (int i = from; i < promptTokens.length; i++) {
                    decoder.push(promptTokens[i]);
                }
                return new TextStream() {
                    @Override
                    public String push(int token) {
                        return decoder.push(token);
                    }

                    @Override
                    public String flush() {
                        return decoder.flush();
                    }
                };
            }
        };
    }

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
