/**
 * Tokenizers built from GGUF metadata, with llama.cpp's semantics (its test-tokenizer-0 vectors are
 * the bar): SentencePiece BPE ({@code llama}), byte-level BPE with per-model pre-tokenizer regexes
 * ({@code gpt2}), WordPiece ({@code bert}) and Gemma 4's SentencePiece-style BPE ({@code gemma4}).
 *
 * <p>Entry point: {@link ai.sluice.core.tokenizer.Tokenizer#fromGguf}. Special tokens are cut out of
 * the text first (user-defined tokens always, control tokens only when asked), then the text model
 * encodes what is left. Decoding follows llama.cpp's detokenizer; {@link
 * ai.sluice.core.tokenizer.StreamDecoder} does the same token by token without splitting characters.
 */
package ai.sluice.core.tokenizer;
