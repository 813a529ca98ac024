package ai.sluice.core.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Half-precision values loaded as float vectors of the preferred width. The Vector API has no
 * half-to-float conversion, so it is done by bits: the magnitude is shifted into a float's exponent
 * and mantissa fields and scaled by 2^112 (the bias difference; exact for normals and subnormals),
 * all-ones exponents are patched (Inf; NaN, quiet), then the sign is set: the values
 * {@link Float#float16ToFloat} gives.
 */
public final class HalfVectors {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** As many shorts as F has floats; null where no such shape exists (then callers stay scalar). */
    private static final VectorSpecies<Short> HALVES = halvesSpecies();

    private HalfVectors() {
    }

    /** Whether {@link #load} can be used here. */
    public static boolean supported() {
        return HALVES != null;
    }

    /** {@code FloatVector.SPECIES_PREFERRED.length()} halves at byte {@code at} of {@code m}, as floats. */
    public static FloatVector load(MemorySegment m, long at) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(HALVES, m, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, INTS, 0);
        IntVector magnitude = h.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        return shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                .blend(shifted.or(0x7F80_0000), magnitude.compare(VectorOperators.GE, 0x7C00))
                .blend(shifted.or(0x7FC0_0000), magnitude.compare(VectorOperators.GT, 0x7C00))
                .or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                .reinterpretAsFloats();
    }

    private static VectorSpecies<Short> halvesSpecies() {
        try {
            return INTS.length() == F.length() ? VectorSpecies.of(short.class, VectorShape.forBitSize(16 * F.length())) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
