package ai.sluice.core.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Layouts and vector shapes the segment decoders share (GGUF is little-endian and unaligned). */
final class SegmentReads {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Bytes with as many lanes as F (64-bit for 8 float lanes); null where no such shape exists: decode scalar. */
    static final VectorSpecies<Byte> BYTES_PER_FLOAT_LANE = byteSpecies(L * 8);
    /** 16 bytes (one Q4_0 block's quants); usable when L divides 16, else null. */
    static final VectorSpecies<Byte> SIXTEEN_BYTES = 16 % L == 0 ? byteSpecies(128) : null;

    private SegmentReads() {
    }

    static int u8(MemorySegment data, long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    private static VectorSpecies<Byte> byteSpecies(int bits) {
        try {
            return 32 % L == 0 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(bits)) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
