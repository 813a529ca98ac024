package ai.sluice.core.tokenizer;

import java.util.BitSet;

/**
 * The token table of a model: texts, scores, kinds and the special ids, as llama.cpp reads them
 * from GGUF (including its fix-ups: end-of-generation tokens detected by their text are treated as
 * control tokens even where the converter marked them otherwise).
 */
public final class Vocabulary {
    // Attribute bits, as llama.cpp's llama_token_attr (a token can carry several).
    static final int ATTR_UNKNOWN = 1;
    static final int ATTR_UNUSED = 1 << 1;
    static final int ATTR_NORMAL = 1 << 2;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_BYTE = 1 << 5;
    static final int ATTR_LSTRIP = 1 << 7;
    static final int ATTR_RSTRIP = 1 << 8;

    private final String[] texts;
    private final float[] scores;
    private final TokenType[] types;
    private final int[] attrs;
    private final TextIndex index;
    private final BitSet endOfGeneration;
    private final int bosId;
    private final int eosId;
    private final int unknownId;
    private final int separatorId;

    Vocabulary(String[] texts, float[] scores, TokenType[] types, int[] attrs, BitSet endOfGeneration,
               int bosId, int eosId, int unknownId, int separatorId) {
        this.texts = texts;
        this.scores = scores;
        this.types = types;
        this.attrs = attrs;
        this.index = new TextIndex(texts);
        this.endOfGeneration = endOfGeneration;
        this.bosId = bosId;
        this.eosId = eosId;
        this.unknownId = unknownId;
        this.separatorId = separatorId;
    }

    public int size() {
        return texts.length;
    }

    /** Beginning-of-sequence id, or -1 if the vocabulary has none. */
    public int bosId() {
        return bosId;
    }

    /** End-of-sequence id, or -1 if the vocabulary has none. */
    public int eosId() {
        return eosId;
    }

    /** Unknown-token id, or -1. */
    public int unknownId() {
        return unknownId;
    }

    /** Separator id (BERT's [SEP]), or -1. */
    public int separatorId() {
        return separatorId;
    }

    /** Whether generating this token ends the turn: eos, eot, eom and the like. */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }

    /** Control tokens (BOS, EOS, chat markers): never produced from plain text, not rendered in text. */
    public boolean isControl(int id) {
        return (attr(id) & ATTR_CONTROL) != 0;
    }

    /** Anything that is not ordinary text: control, user-defined (added) and unknown tokens. */
    public boolean isSpecial(int id) {
        return (attr(id) & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0;
    }

    public TokenType type(int id) {
        check(id);
        return types[id];
    }

    /** The raw vocabulary entry (SentencePiece '▁', GPT-2 byte-level characters, "&lt;0x0A&gt;" ...). */
    public String text(int id) {
        check(id);
        return texts[id];
    }

    public float score(int id) {
        check(id);
        return scores[id];
    }

    /** The id whose raw text is exactly {@code text}, or -1. */
    public int id(String text) {
        return index.find(text);
    }

    int attr(int id) {
        check(id);
        return attrs[id];
    }

    TextIndex index() {
        return index;
    }

    private void check(int id) {
        if (id < 0 || id >= texts.length) {
            throw new TokenizerException("token id " + id + " is out of range [0, " + texts.length + ")");
        }
    }
}
