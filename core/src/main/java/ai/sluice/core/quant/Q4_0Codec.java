package ai.sluice.core.quant;

import ai.sluice.core.gguf.GgmlType;

/**
 * Q4_0: blocks of 32 elements, each stored as an F16 scale {@code d} then 16 bytes of 4-bit codes;
 * byte {@code j} holds element {@code j} in its low nibble and element {@code j + 16} in its high
 * nibble, and {@code x ~ (q - 8) * d}.
 *
 * <p>As in llama.cpp's reference quantizer: the element of largest magnitude {@code max} (the first
 * one on ties, sign kept) sets {@code d = max / -8}, so it maps exactly to code 0 and the codes use
 * the asymmetric range -8..7 fully; {@code q = min(15, trunc(x * (1/d) + 8.5))}.
 */
public final class Q4_0Codec implements RowCodec {
    static final Q4_0Codec INSTANCE = new Q4_0Codec();
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 2 + BLOCK / 2;

    private Q4_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void encode(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        requireWholeBlocks(n);
        for (int b = 0; b < n / BLOCK; b++) {
            int x0 = srcOff + b * BLOCK;
            int out = dstOff + b * BLOCK_BYTES;
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < BLOCK; j++) {
                float v = src[x0 + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            LittleEndian.putShort(dst, out, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK / 2; j++) {
                int lo = code(src[x0 + j], id);
                int hi = code(src[x0 + BLOCK / 2 + j], id);
                dst[out + 2 + j] = (byte) (lo | hi << 4);
            }
        }
    }

    /**
     * {@code min(15, (int) (x * id + 8.5f))} with the multiply-add fused (one rounding), as
     * llama.cpp's reference code computes it when built with FMA contraction (x86-64 with -march
     * native, ARM64) and as gguf-py emulates it. Unfused, a product just below k - 8.5 can round
     * up and change the code by one. The sum is never negative (|x * id| <= 8), so the cast truncates.
     */
    private static int code(float x, float id) {
        return Math.min(15, (int) Math.fma(x, id, 8.5f));
    }

    @Override
    public void decode(byte[] src, int srcOff, int n, float[] dst, int dstOff) {
        requireWholeBlocks(n);
        for (int b = 0; b < n / BLOCK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            float d = Float.float16ToFloat(LittleEndian.getShort(src, in));
            int x0 = dstOff + b * BLOCK;
            for (int j = 0; j < BLOCK / 2; j++) {
                int packed = src[in + 2 + j] & 0xff;
                dst[x0 + j] = ((packed & 0x0f) - 8) * d;
                dst[x0 + BLOCK / 2 + j] = ((packed >>> 4) - 8) * d;
            }
        }
    }

    private static void requireWholeBlocks(int n) {
        if (n % BLOCK != 0) {
            throw new IllegalArgumentException("Q4_0 rows need a multiple of 32 elements, got " + n);
        }
    }
}
