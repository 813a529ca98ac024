package ai.sluice.core.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2's reversible byte-to-character map: printable bytes stand for themselves, the other 68
 * bytes are shifted to U+0100 and up, so every byte sequence is a string of visible characters.
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a byte-level character stands for, or -1 if it is not one. */
    static int byteOf(int codePoint) {
        return codePoint >= 0 && codePoint < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[codePoint] : -1;
    }

    /** The UTF-8 bytes of {@code s[from, to)}, each written as its byte-level character. */
    static String encode(String s, int from, int to) {
        byte[] utf8 = s.substring(from, to).getBytes(StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            out[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * The bytes behind a byte-level token text; a character outside the map is kept as its own
     * UTF-8 (llama.cpp writes an "[UNK_BYTE_...]" marker there; no real vocabulary has one).
     */
    static byte[] decode(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int b = byteOf(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }
}
