package ai.sluice.core.format;

import static ai.sluice.core.format.SegmentReads.F;
import static ai.sluice.core.format.SegmentReads.I16;
import static ai.sluice.core.format.SegmentReads.L;
import static ai.sluice.core.format.SegmentReads.SIXTEEN_BYTES;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
        WholeBlocks.require(GgmlType.Q4_0, n);
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

    /** Kernels' path: one block's 16 bytes as a vector where L divides 16. */
    @Override
    public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
        long block = offset;
        boolean vector = SIXTEEN_BYTES != null && L <= 16;
        for (int b = 0; b < n; b += BLOCK, block += BLOCK_BYTES) {
            float d = Float.float16ToFloat(data.get(I16, block));
            int base = dstOff + b;
            if (vector) {
                // 16 bytes: low nibbles are elements 0..15, high nibbles 16..31; q - 8, to float, times d
                ByteVector q = ByteVector.fromMemorySegment(SIXTEEN_BYTES, data, block + 2, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                for (int part = 0; part < 16 / L; part++) {
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, F, part)).mul(d)
                            .intoArray(dst, base + part * L);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, F, part)).mul(d)
                            .intoArray(dst, base + 16 + part * L);
                }
            } else {
                for (int j = 0; j < 16; j++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, block + 2 + j) & 0xFF;
                    dst[base + j] = ((q & 0x0F) - 8) * d;
                    dst[base + j + 16] = ((q >>> 4) - 8) * d;
                }
            }
        }
    }

    @Override
    public void decode(byte[] src, int srcOff, int n, float[] dst, int dstOff) {
        WholeBlocks.require(GgmlType.Q4_0, n);
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
}
