package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decodes rows of one storage type (llama.cpp block layouts) into floats.
 *
 * <p>One implementation per supported type: the closed set is what the kernels can compute with.
 * All reads are little-endian and unaligned, straight from the memory-mapped file.
 */
sealed interface RowCodec {
    ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** Writes {@code n} decoded elements starting at byte {@code offset} of {@code data} to {@code dst[dstOff..]}. */
    void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff);

    /** The codec for {@code type}, or null when the type is not supported. */
    static RowCodec forType(GgmlType type) {
        return switch (type) {
            case F32 -> new F32Codec();
            case F16 -> new F16Codec();
            case BF16 -> new BF16Codec();
            case Q8_0 -> new Q8_0Codec();
            case Q4_0 -> new Q4_0Codec();
            default -> null;
        };
    }

    /** Plain little-endian floats: a bulk copy. */
    final class F32Codec implements RowCodec {
        @Override
        public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
            MemorySegment.copy(data, F32, offset, dst, dstOff, n);
        }
    }

    /** IEEE half precision. */
    final class F16Codec implements RowCodec {
        @Override
        public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = Float.float16ToFloat(data.get(I16, offset + 2L * i));
            }
        }
    }

    /** bfloat16: the upper half of a float32. */
    final class BF16Codec implements RowCodec {
        @Override
        public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = Float.intBitsToFloat((data.get(I16, offset + 2L * i) & 0xFFFF) << 16);
            }
        }
    }

    /** Blocks of 32: f16 scale d, then 32 signed bytes q; value = q * d. */
    final class Q8_0Codec implements RowCodec {
        @Override
        public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
            long block = offset;
            for (int b = 0; b < n; b += 32, block += 34) {
                float d = Float.float16ToFloat(data.get(I16, block));
                for (int j = 0; j < 32; j++) {
                    dst[dstOff + b + j] = data.get(ValueLayout.JAVA_BYTE, block + 2 + j) * d;
                }
            }
        }
    }

    /**
     * Blocks of 32: f16 scale d, then 16 bytes; the low nibbles are elements 0..15, the high nibbles
     * elements 16..31; value = (nibble - 8) * d.
     */
    final class Q4_0Codec implements RowCodec {
        @Override
        public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
            long block = offset;
            for (int b = 0; b < n; b += 32, block += 18) {
                float d = Float.float16ToFloat(data.get(I16, block));
                int base = dstOff + b;
                for (int j = 0; j < 16; j++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, block + 2 + j) & 0xFF;
                    dst[base + j] = ((q & 0x0F) - 8) * d;
                    dst[base + j + 16] = ((q >>> 4) - 8) * d;
                }
            }
        }
    }
}
