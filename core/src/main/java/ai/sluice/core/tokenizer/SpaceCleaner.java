package ai.sluice.core.tokenizer;

/**
 * llama.cpp's {@code clean_spaces} detokenization step (Hugging Face's
 * {@code clean_up_tokenization_spaces}): " ?" " !" " ." " ," lose the space, a lone " ' " loses both
 * spaces, and " 's" " 'm" " 're" " 've" lose the space. Works in place on UTF-8 bytes (all ASCII rules).
 */
final class SpaceCleaner {
    private SpaceCleaner() {
    }

    /** Cleans {@code text[0, length)} in place; returns the new length. */
    static int clean(byte[] text, int length) {
        return contractions(text, loneApostrophes(text, punctuation(text, length)));
    }

    private static int punctuation(byte[] t, int length) {
        int total = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                total--;
            }
            t[total++] = x;
        }
        return total;
    }

    private static int loneApostrophes(byte[] t, int length) {
        int total = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++) {
            byte x = t[i];
            if (x == '\'' && i + 1 < length && t[i - 1] == ' ' && t[i + 1] == ' ') {
                total--;       // the space before
                t[++i] = 0;    // and the one after, which must not count as a space any more
            }
            t[total++] = x;
        }
        return total;
    }

    private static int contractions(byte[] t, int length) {
        int total = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < length) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (i + 2 < length) {
                    byte x2 = t[i + 2];
                    if ((x1 == 'r' || x1 == 'v') && x2 == 'e') {
                        total--;
                    }
                }
            }
            t[total++] = x;
        }
        return total;
    }
}
