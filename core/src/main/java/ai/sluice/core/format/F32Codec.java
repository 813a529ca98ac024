package ai.sluice.core.format;

import static ai.sluice.core.format.SegmentReads.F32;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/** F32: four little-endian bytes per element, stored as is. */
public final class F32Codec implements RowCodec {
    static final F32Codec INSTANCE = new F32Codec();

    private F32Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void encode(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            LittleEndian.putInt(dst, dstOff + 4 * i, Float.floatToRawIntBits(src[srcOff + i]));
        }
    }

    /** Kernels' path: a bulk copy. */
    @Override
    public void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff) {
        MemorySegment.copy(data, F32, offset, dst, dstOff, n);
    }

    @Override
    public void decode(byte[] src, int srcOff, int n, float[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.intBitsToFloat(LittleEndian.getInt(src, srcOff + 4 * i));
        }
    }
}
