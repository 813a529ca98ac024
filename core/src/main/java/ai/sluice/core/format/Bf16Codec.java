package ai.sluice.core.format;

import static ai.sluice.core.format.SegmentReads.I16;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** BF16 (bfloat16): the upper 16 bits of an F32. */
public final class Bf16Codec implements RowCodec {
    static final Bf16Codec INSTANCE = new Bf16Codec();

    private Bf16Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    /**
     * Rounds to nearest, ties to even, like ggml's fp32-to-bf16: add 0x7fff plus the lowest kept bit,
     * then drop the low half. NaN is kept a quiet NaN (its sign and top payload bits survive) instead
     * of letting the rounding carry turn it into infinity.
     */
    public static short fromFloat(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    @Override
    public void encode(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            LittleEndian.putShort(dst, dstOff + 2 * i, fromFloat(src[srcOff + i]));
        }
    }

    @Override
    public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.intBitsToFloat((data.get(I16, offset + 2L * i) & 0xFFFF) << 16);
        }
    }

    @Override
    public void decode(byte[] src, int srcOff, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = toFloat(LittleEndian.getShort(src, srcOff + 2 * i));
        }
    }
}
