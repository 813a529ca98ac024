package ai.sluice.core.tokenizer;

/** Turns one stretch of ordinary text (no special tokens in it) into token ids. */
sealed interface TextModel permits SentencePieceModel, BytePairModel, WordPieceModel {
    void encode(String text, IntList out);
}
