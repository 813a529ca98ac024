package ai.sluice.core.format;

import static ai.sluice.core.format.SegmentReads.BYTES_PER_FLOAT_LANE;
import static ai.sluice.core.format.SegmentReads.F;
import static ai.sluice.core.format.SegmentReads.I16;
import static ai.sluice.core.format.SegmentReads.L;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0: blocks of 32 elements, each stored as an F16 scale {@code d} then 32 signed bytes {@code q},
 * with {@code x ~ q * d}. As in llama.cpp's reference quantizer: {@code d = amax / 127} over the
 * block, {@code q = roundf(x * (1/d))} (half away from zero), an all-zero block gets d = 0.
 */
public final class Q8_0Codec implements RowCodec {
    static final Q8_0Codec INSTANCE = new Q8_0Codec();
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 2 + BLOCK;

    private Q8_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void encode(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        WholeBlocks.require(GgmlType.Q8_0, n);
        for (int b = 0; b < n / BLOCK; b++) {
            int x0 = srcOff + b * BLOCK;
            int out = dstOff + b * BLOCK_BYTES;
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(src[x0 + j]));
            }
            float d = amax / 127f;
            // Quantize with the float scale, not its F16 rounding: that is what llama.cpp does.
            float id = d != 0f ? 1f / d : 0f;
            LittleEndian.putShort(dst, out, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK; j++) {
                dst[out + 2 + j] = (byte) roundHalfAwayFromZero(src[x0 + j] * id);
            }
        }
    }

    /** Kernels' path: L bytes to L floats per vector step where such a shape exists. */
    @Override
    public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
        long block = offset;
        VectorSpecies<Byte> bytes = BYTES_PER_FLOAT_LANE;
        for (int b = 0; b < n; b += BLOCK, block += BLOCK_BYTES) {
            float d = Float.float16ToFloat(data.get(I16, block));
            int j = 0;
            if (bytes != null) {
                // L bytes -> L floats per step: sign-extend, convert, scale
                for (; j < BLOCK; j += L) {
                    ((FloatVector) ByteVector.fromMemorySegment(bytes, data, block + 2 + j, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2F, F, 0))
                            .mul(d).intoArray(dst, dstOff + b + j);
                }
            }
            for (; j < BLOCK; j++) {
                dst[dstOff + b + j] = data.get(ValueLayout.JAVA_BYTE, block + 2 + j) * d;
            }
        }
    }

    @Override
    public void decode(byte[] src, int srcOff, int n, float[] dst, int dstOff) {
        WholeBlocks.require(GgmlType.Q8_0, n);
        for (int b = 0; b < n / BLOCK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            float d = Float.float16ToFloat(LittleEndian.getShort(src, in));
            int x0 = dstOff + b * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                dst[x0 + j] = src[in + 2 + j] * d;
            }
        }
    }

    /**
     * C's {@code roundf}: halfway cases go away from zero (Java's {@link Math#round} sends -2.5 to
     * -2, and {@code floor(x + 0.5f)} misrounds 0.49999997f because the addition itself rounds).
     * The fractional part {@code a - floor(a)} of a float is exact, so this compares the true value.
     */
    static int roundHalfAwayFromZero(float x) {
        float a = Math.abs(x);
        float whole = (float) Math.floor(a);
        int r = (int) whole + (a - whole >= 0.5f ? 1 : 0);
        return x < 0f ? -r : r;
    }
}
