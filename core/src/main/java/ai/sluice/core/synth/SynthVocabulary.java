package ai.sluice.core.synth;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A SentencePiece-style vocabulary as llama.cpp's {@code llama} tokenizer expects it: {@code <unk>},
 * {@code <s>}, {@code </s>}, the 256 byte-fallback tokens {@code <0x00>..<0xFF>}, then pieces
 * ({@code ▁} marks a word start) with descending scores. The pieces are common words, then all
 * letter strings of growing length, enough for any size up to the hundreds of thousands.
 *
 * @param tokens the pieces, by id
 * @param scores merge priority (higher merges first), by id
 * @param types llama.cpp token types, by id: 1 normal, 2 unknown, 3 control, 6 byte
 */
public record SynthVocabulary(String[] tokens, float[] scores, int[] types) {
    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    static final int MIN_SIZE = 3 + 256 + 1;

    static final int TYPE_NORMAL = 1;
    static final int TYPE_UNKNOWN = 2;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_BYTE = 6;

    private static final char WORD_START = '\u2581';
    private static final String[] WORDS = ("the and a to was he she it of in they her his that with on you for "
            + "is said one day had but there little were so big very be all time once upon not at happy play "
            + "named girl boy mom dog cat tree sun friend saw what up went out do can like have are this from "
            + "new make see go get good we my me look want help toy ball park home loved fun").split(" ");
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";
    private static final String SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"-:;()";

    /** A vocabulary of exactly {@code size} tokens. */
    public static SynthVocabulary of(int size) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("a vocabulary needs at least " + MIN_SIZE + " tokens");
        }
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens[UNK] = "<unk>";
        types[UNK] = TYPE_UNKNOWN;
        tokens[BOS] = "<s>";
        types[BOS] = TYPE_CONTROL;
        tokens[EOS] = "</s>";
        types[EOS] = TYPE_CONTROL;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = TYPE_BYTE;
        }
        int id = 3 + 256;
        for (String piece : pieces(size - id)) {
            tokens[id] = piece;
            scores[id] = -(id - 259); // SentencePiece scores are log-probabilities: earlier = likelier
            types[id] = TYPE_NORMAL;
            id++;
        }
        return new SynthVocabulary(tokens, scores, types);
    }

    /** {@code n} distinct pieces, most useful first. */
    private static Set<String> pieces(int n) {
        Set<String> out = new LinkedHashSet<>(n * 2);
        add(out, n, String.valueOf(WORD_START));
        for (String w : WORDS) {
            add(out, n, WORD_START + w);
        }
        for (char c : (LETTERS + SYMBOLS).toCharArray()) {
            add(out, n, String.valueOf(c));
            add(out, n, WORD_START + String.valueOf(c));
        }
        for (String w : WORDS) {
            add(out, n, w);
        }
        // All lowercase strings of length 2, 3, ... (with and without a word start) until full.
        for (int len = 2; out.size() < n; len++) {
            int[] digits = new int[len];
            char[] chars = new char[len];
            while (out.size() < n) {
                for (int i = 0; i < len; i++) {
                    chars[i] = LETTERS.charAt(digits[i]);
                }
                String s = new String(chars);
                add(out, n, WORD_START + s);
                add(out, n, s);
                int i = len - 1;
                while (i >= 0 && ++digits[i] == LETTERS.length()) {
                    digits[i--] = 0;
                }
                if (i < 0) {
                    break;
                }
            }
        }
        return out;
    }

    private static void add(Set<String> out, int n, String piece) {
        if (out.size() < n) {
            out.add(piece);
        }
    }
}
