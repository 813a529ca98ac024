package ai.sluice.core.format;

import static ai.sluice.core.format.SegmentReads.I16;
import static ai.sluice.core.format.SegmentReads.u8;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Q6_K (read only): super-blocks of 256 (210 bytes): 128 bytes of low nibbles, 64 bytes of high
 * 2-bit pairs, 16 signed 8-bit scales (one per 16 elements), f16 d; value = d * scale * (q6 - 32).
 */
public final class Q6_KDecoder implements RowDecoder {
    static final Q6_KDecoder INSTANCE = new Q6_KDecoder();

    private Q6_KDecoder() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
        long block = offset;
        for (int b = 0; b < n; b += 256, block += 210) {
            float d = Float.float16ToFloat(data.get(I16, block + 208));
            for (int half = 0; half < 2; half++) {
                long ql = block + 64L * half;
                long qh = block + 128 + 32L * half;
                long sc = block + 192 + 8L * half;
                int out = dstOff + b + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int lo0 = u8(data, ql + l);
                    int lo1 = u8(data, ql + 32 + l);
                    int hi = u8(data, qh + l);
                    int s = l / 16;
                    dst[out + l] = d * data.get(ValueLayout.JAVA_BYTE, sc + s)
                            * (((lo0 & 0x0F) | (hi & 3) << 4) - 32);
                    dst[out + 32 + l] = d * data.get(ValueLayout.JAVA_BYTE, sc + s + 2)
                            * (((lo1 & 0x0F) | (hi >>> 2 & 3) << 4) - 32);
                    dst[out + 64 + l] = d * data.get(ValueLayout.JAVA_BYTE, sc + s + 4)
                            * (((lo0 >>> 4) | (hi >>> 4 & 3) << 4) - 32);
                    dst[out + 96 + l] = d * data.get(ValueLayout.JAVA_BYTE, sc + s + 6)
                            * (((lo1 >>> 4) | (hi >>> 6 & 3) << 4) - 32);
                }
            }
        }
    }
}
