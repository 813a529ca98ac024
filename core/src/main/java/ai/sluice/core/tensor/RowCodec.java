package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

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
            case Q4_K -> new Q4_KCodec();
            case Q6_K -> new Q6_KCodec();
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
            VectorSpecies<Byte> bytes = Lanes.BYTES_PER_FLOAT_LANE;
            for (int b = 0; b < n; b += 32, block += 34) {
                float d = Float.float16ToFloat(data.get(I16, block));
                int j = 0;
                if (bytes != null) {
                    // L bytes -> L floats per step: sign-extend, convert, scale
                    for (; j < 32; j += Lanes.L) {
                        ((FloatVector) ByteVector.fromMemorySegment(bytes, data, block + 2 + j, ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2F, Lanes.F, 0))
                                .mul(d).intoArray(dst, dstOff + b + j);
                    }
                }
                for (; j < 32; j++) {
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
            boolean vector = Lanes.SIXTEEN_BYTES != null && Lanes.L <= 16;
            for (int b = 0; b < n; b += 32, block += 18) {
                float d = Float.float16ToFloat(data.get(I16, block));
                int base = dstOff + b;
                if (vector) {
                    // 16 bytes: low nibbles are elements 0..15, high nibbles 16..31; q - 8, to float, times d
                    ByteVector q = ByteVector.fromMemorySegment(Lanes.SIXTEEN_BYTES, data, block + 2, ByteOrder.LITTLE_ENDIAN);
                    ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                    for (int part = 0; part < 16 / Lanes.L; part++) {
                        ((FloatVector) lo.convertShape(VectorOperators.B2F, Lanes.F, part)).mul(d)
                                .intoArray(dst, base + part * Lanes.L);
                        ((FloatVector) hi.convertShape(VectorOperators.B2F, Lanes.F, part)).mul(d)
                                .intoArray(dst, base + 16 + part * Lanes.L);
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
    }

    /**
     * Super-blocks of 256 (144 bytes): f16 d, f16 dmin, 12 bytes packing 8 six-bit (scale, min)
     * pairs, 128 bytes of nibbles. Each 64 elements use 32 bytes: low nibbles are sub-block 2g,
     * high nibbles sub-block 2g+1; value = d * scale * q - dmin * min.
     */
    final class Q4_KCodec implements RowCodec {
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
                        int q = data.get(ValueLayout.JAVA_BYTE, qs + 32L * g + l) & 0xFF;
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

    /**
     * Super-blocks of 256 (210 bytes): 128 bytes of low nibbles, 64 bytes of high 2-bit pairs,
     * 16 signed 8-bit scales (one per 16 elements), f16 d; value = d * scale * (q6 - 32).
     */
    final class Q6_KCodec implements RowCodec {
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

    private static int u8(MemorySegment data, long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** Vector shapes the decoders use; a null species means "no such shape here, decode scalar". */
    final class Lanes {
        static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
        static final int L = F.length();
        /** Bytes with as many lanes as F (64-bit for 8 float lanes); null where no such shape exists. */
        static final VectorSpecies<Byte> BYTES_PER_FLOAT_LANE = byteSpecies(L * 8);
        /** 16 bytes (one Q4_0 block's quants); usable when L divides 16. */
        static final VectorSpecies<Byte> SIXTEEN_BYTES = 16 % L == 0 ? byteSpecies(128) : null;

        private Lanes() {
        }

        private static VectorSpecies<Byte> byteSpecies(int bits) {
            try {
                return 32 % L == 0 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(bits)) : null;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
