package ai.sluice.core.format;

import static ai.sluice.core.format.SegmentReads.I16;
import static ai.sluice.core.format.SegmentReads.u8;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q4_K (read only): super-blocks of 256 (144 bytes): f16 d, f16 dmin, 12 bytes packing 8 six-bit
 * (scale, min) pairs, 128 bytes of nibbles. Each 64 elements use 32 bytes: low nibbles are
 * sub-block 2g, high nibbles sub-block 2g+1; value = d * scale * q - dmin * min.
 */
public final class Q4_KDecoder implements RowDecoder {
    static final Q4_KDecoder INSTANCE = new Q4_KDecoder();

    private Q4_KDecoder() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
        long block = offset;
        for (int b = 0; b < n; b += 256, block += 144) {
            float d = Float.float16ToFloat(data.get(I16, block));
            float dmin = Float.float16ToFloat(data.get(I16, block + 2));
            long scales = block + 4;
            long qs = block + 16;
            int out = dstOff + b;
            for (int g = 0; g < 4; g++) {
                int j = 2 * g;
                float d1 = d * scale6(data, scales, j);
                float m1 = dmin * min6(data, scales, j);
                float d2 = d * scale6(data, scales, j + 1);
                float m2 = dmin * min6(data, scales, j + 1);
                for (int l = 0; l < 32; l++) {
                    int q = u8(data, qs + 32L * g + l);
                    dst[out + 64 * g + l] = d1 * (q & 0x0F) - m1;
                    dst[out + 64 * g + 32 + l] = d2 * (q >>> 4) - m2;
                }
            }
        }
    }

    /** Six-bit scale {@code j} (0..7): bytes 0..3 hold scales 0..3, bytes 8..11 and the top bits of 0..3 the rest. */
    private static int scale6(MemorySegment data, long scales, int j) {
        if (j < 4) {
            return u8(data, scales + j) & 63;
        }
        return (u8(data, scales + j + 4) & 0x0F) | ((u8(data, scales + j - 4) >>> 6) << 4);
    }

    /** Six-bit min {@code j} (0..7): bytes 4..7 hold mins 0..3, bytes 8..11 and the top bits of 4..7 the rest. */
    private static int min6(MemorySegment data, long scales, int j) {
        if (j < 4) {
            return u8(data, scales + j + 4) & 63;
        }
        return (u8(data, scales + j + 4) >>> 4) | ((u8(data, scales + j) >>> 6) << 4);
    }
}
