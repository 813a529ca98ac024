package ai.sluice.core.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Byte-pair encoding with ranked merges ({@code tokenizer.ggml.model = gpt2}, and Gemma 4's
 * SentencePiece-style variant): pre-tokenize into words, then in each word repeatedly merge the
 * adjacent pair with the lowest merge rank (ties: leftmost), as llama.cpp's BPE session does.
 */
final class BytePairModel implements TextModel {
    private final TextIndex index;
    private final MergeRanks ranks;
    private final PreTokenizer preTokenizer;
    /** GPT-2 byte-level characters (true) or raw UTF-8 text with {@code <0xNN>} byte fallback (false). */
    private final boolean byteEncode;
    /** Llama 3: a word that is itself a token is taken whole, merges or not. */
    private final boolean ignoreMerges;
    /** Gemma 4: spaces are written as '▁' before anything else. */
    private final boolean escapeWhitespace;
    private final int[] byteTokens = new int[256];


    BytePairModel(TextIndex index, MergeRanks ranks, PreTokenizer preTokenizer, boolean byteEncode,
                  boolean ignoreMerges, boolean escapeWhitespace) {
        this.index = index;
        this.ranks = ranks;
        this.preTokenizer = preTokenizer;
        this.byteEncode = byteEncode;
        this.ignoreMerges = ignoreMerges;
        this.escapeWhitespace = escapeWhitespace;
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = byteEncode
                    ? index.find(String.valueOf(ByteLevel.charOf(b)))
                    : index.find(String.format("<0x%02X>", b));
        }
    }

    @Override
    public void encode(String text, IntList out) {
        String source = escapeWhitespace ? text.replace(' ', '\u2581') : text;
        IntList pieces = preTokenizer.split(source);
        Session session = new Session();
        for (int p = 0; p < pieces.size(); p += 2) {
            int start = pieces.get(p);
            int end = pieces.get(p + 1);
            CharSequence word = byteEncode ? ByteLevel.encode(source, start, end, session.word)
                    : source.subSequence(start, end);
            session.encodeWord(word, out);
        }
    }

    /** A symbol that is no token: spell it with single-byte tokens, as llama.cpp does. */
    private void emitBytes(String symbol, IntList out) {
        for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
            int id = byteEncode ? index.find(String.valueOf((char) (b & 0xFF))) : byteTokens[b & 0xFF];
            if (id >= 0) {
                out.add(id);
            }
        }
    }

    private static boolean isAllNewlines(CharSequence word) {
        for (int i = 0; i < word.length(); i++) {
            if (word.charAt(i) != '\n') {
                return false;
            }
        }
        return word.length() > 0;
    }


    /** Scratch for one encode call, reused across its words, so one model serves many threads. */
    private final class Session {
        private int[] symbolId = new int[64];
        private int[] symbolStart = new int[64];
        private int[] symbolLength = new int[64];
        private int[] prev = new int[64];
        private int[] next = new int[64];
        private final MergeQueue queue = new MergeQueue();
        /** The current word in byte-level characters. */
        private final StringBuilder word = new StringBuilder(64);

        private void encodeWord(CharSequence word, IntList out) {
            if (ignoreMerges || (!byteEncode && isAllNewlines(word))) {
                int whole = index.find(word, 0, word.length());
                if (whole >= 0) {
                    out.add(whole);
                    return;
                }
            }
            int n = 0;
            for (int i = 0; i < word.length(); ) {
                int len = byteEncode ? 1 : Character.charCount(Character.codePointAt(word, i));
                ensureCapacity(n + 1);
                symbolStart[n] = i;
                symbolLength[n] = len;
                symbolId[n] = byteEncode ? byteTokens[ByteLevel.byteOf(word.charAt(i))] : index.find(word, i, i + len);
                prev[n] = n - 1;
                next[n] = i + len == word.length() ? -1 : n + 1;
                n++;
                i += len;
            }
            queue.clear();
            for (int i = 1; i < n; i++) {
                addCandidate(i - 1, i);
            }
            while (!queue.isEmpty()) {
                queue.pop();
                int left = queue.topLeft;
                int right = queue.topRight;
                // Skip a candidate whose sides changed since it was queued.
                if (symbolLength[left] == 0 || symbolLength[right] == 0
                        || symbolId[left] != queue.topExtraA || symbolId[right] != queue.topExtraB) {
                    continue;
                }
                symbolId[left] = ranks.mergedId(ranks.rank(symbolId[left], symbolId[right]));
                symbolLength[left] += symbolLength[right];
                symbolLength[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                addCandidate(prev[left], left);
                addCandidate(left, next[left]);
            }
            for (int i = 0; i != -1 && n > 0; i = next[i]) {
                if (symbolId[i] >= 0) {
                    out.add(symbolId[i]);
                } else {
                    emitBytes(word.subSequence(symbolStart[i], symbolStart[i] + symbolLength[i]).toString(), out);
                }
            }
        }

        private void addCandidate(int left, int right) {
            if (left < 0 || right < 0 || symbolId[left] < 0 || symbolId[right] < 0) {
                return;
            }
            int rank = ranks.rank(symbolId[left], symbolId[right]);
            if (rank >= 0) {
                queue.push(rank, left, right, symbolId[left], symbolId[right]);
            }
        }

        private void ensureCapacity(int n) {
            if (n > symbolId.length) {
                int size = Math.max(n, symbolId.length * 2);
                symbolId = java.util.Arrays.copyOf(symbolId, size);
                symbolStart = java.util.Arrays.copyOf(symbolStart, size);
                symbolLength = java.util.Arrays.copyOf(symbolLength, size);
                prev = java.util.Arrays.copyOf(prev, size);
                next = java.util.Arrays.copyOf(next, size);
            }
        }
    }
}
