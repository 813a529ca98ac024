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

    /**
     * Writes the UTF-8 bytes of {@code s[from, to)} into {@code out} (cleared first), each as its
     * byte-level character, and returns {@code out}. A lone surrogate is written as U+FFFD, as
     * Java's UTF-8 encoder does.
     */
    static StringBuilder encode(String s, int from, int to, StringBuilder out) {
        out.setLength(0);
        for (int i = from; i < to; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x10000 && Character.isSurrogate((char) cp)) {
                cp = 0xFFFD;
            }
            if (cp < 0x80) {
                out.append(BYTE_TO_CHAR[cp]);
            } else if (cp < 0x800) {
                out.append(BYTE_TO_CHAR[0xC0 | (cp >>> 6)]).append(BYTE_TO_CHAR[0x80 | (cp & 0x3F)]);
            } else if (cp < 0x10000) {
                out.append(BYTE_TO_CHAR[0xE0 | (cp >>> 12)]).append(BYTE_TO_CHAR[0x80 | ((cp >>> 6) & 0x3F)])
                        .append(BYTE_TO_CHAR[0x80 | (cp & 0x3F)]);
            } else {
                out.append(BYTE_TO_CHAR[0xF0 | (cp >>> 18)]).append(BYTE_TO_CHAR[0x80 | ((cp >>> 12) & 0x3F)])
                        .append(BYTE_TO_CHAR[0x80 | ((cp >>> 6) & 0x3F)]).append(BYTE_TO_CHAR[0x80 | (cp & 0x3F)]);
            }
        }
        return out;
    }

    /**
     * The bytes behind a byte-level token text; a character outside the map is kept as its own
     * UTF-8 (llama.cpp writes an "[UNK_BYTE_...]" marker there; no real vocabulary has one).
     */
    static byte[] decode(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < bytes.length; i++) {
            int b = byteOf(text.charAt(i));
            if (b < 0) {
                return decodeWithStrays(text);
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    private static byte[] decodeWithStrays(String text) {
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
