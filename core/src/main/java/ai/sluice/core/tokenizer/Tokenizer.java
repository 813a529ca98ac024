package ai.sluice.core.tokenizer;

import ai.sluice.core.gguf.GgufMetadata;

/**
 * Text to token ids and back, for the vocabulary a GGUF file carries, with llama.cpp's semantics.
 * Instances are immutable and safe to share between threads.
 */
public interface Tokenizer {

    /**
     * Builds the tokenizer that {@code tokenizer.ggml.model} names ({@code llama}, {@code gpt2},
     * {@code bert}, {@code gemma4}).
     *
     * @throws TokenizerException for an unsupported model or pre-tokenizer, or inconsistent metadata
     */
    static Tokenizer fromGguf(GgufMetadata metadata) {
        return TokenizerFactory.create(metadata);
    }

    /**
     * Token ids for {@code text}.
     *
     * @param addSpecial   add BOS/EOS (and BERT's SEP) as the vocabulary asks
     * @param parseSpecial recognise control-token text such as "&lt;|eot_id|&gt;" as that token;
     *                     user-defined (added) tokens are recognised either way
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The text of {@code ids}, as llama.cpp detokenizes without rendering special tokens: control
     * tokens produce nothing, the SentencePiece leading space of the first token is dropped, and
     * BPE vocabularies that ask for it get the clean-up of spaces before punctuation. Bytes that do
     * not form valid UTF-8 become U+FFFD.
     */
    String decode(int[] ids);

    /** The bytes a single token stands for (control tokens: their text). */
    byte[] tokenBytes(int id);

    Vocabulary vocabulary();

    /** A decoder for generated tokens one at a time; never emits half a UTF-8 character. */
    StreamDecoder newStreamDecoder();
}
