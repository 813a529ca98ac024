package ai.sluice.core.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated tokens into text as they arrive. A character split over several byte-fallback
 * tokens is held back until its last byte arrives. Not thread-safe: one per generation stream.
 * Unlike {@link Tokenizer#decode}, no look-ahead clean-up of spaces is applied.
 */
public final class StreamDecoder {
    private final GgufTokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int pendingLength;
    private boolean first = true;

    StreamDecoder(GgufTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one token; returns the text that became complete (possibly empty). */
    public String push(int id) {
        byte[] piece = tokenizer.piece(id);
        int from = 0;
        if (first && tokenizer.stripsLeadingSpace() && piece.length > 0 && piece[0] == ' ') {
            from = 1;
        }
        first = false;
        append(piece, from);
        int complete = completePrefix();
        if (complete == 0) {
            return "";
        }
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /** Whatever is still held back (an unfinished character comes out as U+FFFD). */
    public String flush() {
        String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        return text;
    }

    private void append(byte[] piece, int from) {
        int n = piece.length - from;
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
        }
        System.arraycopy(piece, from, pending, pendingLength, n);
        pendingLength += n;
    }

    /** Length of the longest prefix of {@code pending} that does not end inside a UTF-8 sequence. */
    private int completePrefix() {
        int n = pendingLength;
        // Look back at most 3 bytes for the lead byte of the last sequence.
        for (int back = 1; back <= Math.min(4, n); back++) {
            int b = pending[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for its lead
            }
            int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back && b >= 0xC0 && b <= 0xF7 ? n - back : n;
        }
        return n;
    }
}
