package ai.sluice.core.format;

import static ai.sluice.core.format.SegmentReads.I16;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * F16 (IEEE 754 binary16). Encoding rounds to nearest, ties to even, as ggml's FP32_TO_FP16 does
 * (F16C's {@code vcvtps2ph} with rounding mode 0, and its portable fallback).
 */
public final class F16Codec implements RowCodec {
    static final F16Codec INSTANCE = new F16Codec();

    private F16Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void encode(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            LittleEndian.putShort(dst, dstOff + 2 * i, Float.floatToFloat16(src[srcOff + i]));
        }
    }

    @Override
    public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(data.get(I16, offset + 2L * i));
        }
    }

    @Override
    public void decode(byte[] src, int srcOff, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(LittleEndian.getShort(src, srcOff + 2 * i));
        }
    }
}
