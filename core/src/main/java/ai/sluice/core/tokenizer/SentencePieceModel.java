package ai.sluice.core.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece BPE ({@code tokenizer.ggml.model = llama}): start from single characters and keep
 * merging the adjacent pair whose concatenation is the token with the highest score (ties:
 * leftmost); characters that end up in no token are spelled with {@code <0xNN>} byte tokens.
 * The caller has already written spaces as '▁' and added the leading space where it belongs.
 */
final class SentencePieceModel implements TextModel {
    private final TextIndex index;
    private final float[] scores;
    private final int[] byteTokens = new int[256];
    private final int unknownId;

    SentencePieceModel(Vocabulary vocabulary, float[] scores) {
        this.index = vocabulary.index();
        this.scores = scores;
        this.unknownId = vocabulary.unknownId();
        for (int b = 0; b < 256; b++) {
            int id = index.find(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) {
                id = index.find(String.valueOf((char) b));
            }
            byteTokens[b] = id;
        }
    }

    @Override
    public void encode(String text, IntList out) {
        int n = 0;
        int[] start = new int[text.length()];
        int[] length = new int[text.length()];
        int[] prev = new int[text.length()];
        int[] next = new int[text.length()];
        for (int i = 0; i < text.length(); ) {
            int len = Character.charCount(text.codePointAt(i));
            start[n] = i;
            length[n] = len;
            prev[n] = n - 1;
            next[n] = i + len == text.length() ? -1 : n + 1;
            n++;
            i += len;
        }
        MergeQueue queue = new MergeQueue();
        for (int i = 1; i < n; i++) {
            addCandidate(text, queue, start, length, i - 1, i);
        }
        while (!queue.isEmpty()) {
            queue.pop();
            int left = queue.topLeft;
            int right = queue.topRight;
            // A candidate is stale once either side was merged into something else.
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != queue.topExtraA) {
                continue;
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            addCandidate(text, queue, start, length, prev[left], left);
            addCandidate(text, queue, start, length, left, next[left]);
        }
        for (int i = 0; i != -1 && n > 0; i = next[i]) {
            int id = index.find(text, start[i], start[i] + length[i]);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            byte[] utf8 = text.substring(start[i], start[i] + length[i]).getBytes(StandardCharsets.UTF_8);
            for (byte b : utf8) {
                int byteId = byteTokens[b & 0xFF];
                if (byteId < 0) {
                    byteId = unknownId;
                }
                if (byteId >= 0) {
                    out.add(byteId);
                }
            }
        }
    }

    private void addCandidate(String text, MergeQueue queue, int[] start, int[] length, int left, int right) {
        if (left < 0 || right < 0) {
            return;
        }
        int total = length[left] + length[right];
        int id = index.find(text, start[left], start[left] + total);
        if (id >= 0) {
            // Highest score first: the queue pops the lowest key.
            queue.push(-(double) scores[id], left, right, total, 0);
        }
    }
}
