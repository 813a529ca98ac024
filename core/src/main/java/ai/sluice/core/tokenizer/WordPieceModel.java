package ai.sluice.core.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * BERT WordPiece ({@code tokenizer.ggml.model = bert}), as llama.cpp runs it on a GGUF vocabulary
 * where word-initial pieces start with '▁' and continuation pieces carry no "##": normalize
 * (NFD, drop accents, lower-case), split on whitespace and around punctuation and CJK characters,
 * then match each word greedily longest-first; a word that cannot be matched becomes [UNK].
 */
final class WordPieceModel implements TextModel {
    private final TextIndex index;
    private final int unknownId;
    private final int maxTokenLength;
    private final boolean lowercase;
    private final boolean stripAccents;

    WordPieceModel(Vocabulary vocabulary, String[] texts, boolean lowercase, boolean stripAccents) {
        this.index = vocabulary.index();
        this.unknownId = vocabulary.unknownId();
        int max = 0;
        for (String t : texts) {
            max = Math.max(max, t.length());
        }
        this.maxTokenLength = max;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
    }

    @Override
    public void encode(String text, IntList out) {
        for (String word : words(text)) {
            String w = "\u2581" + word;
            int n = w.length();
            int mark = out.size();
            boolean failed = false;
            for (int i = 0; i < n; ) {
                int matchedEnd = -1;
                for (int j = Math.min(n, i + maxTokenLength); j > i; j--) {
                    int id = index.find(w, i, j);
                    if (id >= 0) {
                        out.add(id);
                        matchedEnd = j;
                        break;
                    }
                }
                if (matchedEnd < 0) {
                    failed = true;
                    break;
                }
                i = matchedEnd;
            }
            if (failed) {
                out.truncate(mark);
            }
            if (out.size() == mark && unknownId >= 0) {
                out.add(unknownId);
            }
        }
    }

    List<String> words(String text) {
        String s = stripAccents ? Normalizer.normalize(text, Normalizer.Form.NFD) : text;
        List<String> words = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isWhitespace(cp)) {
                flush(current, words);
                continue;
            }
            int type = Character.getType(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(type)) {
                continue;
            }
            if (stripAccents && isMark(type)) {
                continue;
            }
            int c = lowercase ? Character.toLowerCase(cp) : cp;
            if (isPunctuation(type) || (cp < 0x7F && isSymbol(type)) || isChinese(cp)) {
                flush(current, words);
                words.add(new String(Character.toChars(c)));
            } else {
                current.appendCodePoint(c);
            }
        }
        flush(current, words);
        return words;
    }

    private static void flush(StringBuilder current, List<String> words) {
        if (!current.isEmpty()) {
            words.add(current.toString());
            current.setLength(0);
        }
    }

    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    private static boolean isControl(int type) {
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                || type == Character.SURROGATE;
    }

    private static boolean isMark(int type) {
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    private static boolean isPunctuation(int type) {
        return switch (type) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    private static boolean isSymbol(int type) {
        return type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL
                || type == Character.MODIFIER_SYMBOL || type == Character.OTHER_SYMBOL;
    }

    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
