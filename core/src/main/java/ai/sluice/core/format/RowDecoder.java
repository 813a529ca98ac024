package ai.sluice.core.format;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Decodes rows of one GGML storage type (llama.cpp's block layouts) into floats.
 *
 * <p>This package is the one home of the block formats: each type's layout is written down once,
 * in one class, which decodes from memory segments (the kernels' path: straight from the
 * memory-mapped file, vectorized where it pays) and from {@code byte[]} (the quantizer's path:
 * plain scalar array code), and, for the types Sluice can write, encodes ({@link RowCodec}). The two
 * decoders of a type give the same bits (RowCodecTest decodes random blocks both ways).
 * Implementations are stateless and thread-safe; all reads are little-endian and unaligned.
 */
public sealed interface RowDecoder permits RowCodec, Q4_KDecoder, Q6_KDecoder {

    /** The storage type this decoder reads. */
    GgmlType type();

    /** Writes {@code n} decoded elements starting at byte {@code offset} of {@code data} to {@code dst[dstOff..]}. */
    void decode(MemorySegment data, long offset, int n, float[] dst, int dstOff);

    /**
     * Decodes {@code n} elements stored at {@code src[srcOff..]} into {@code dst[dstOff..]}. Types
     * that Sluice only reads decode through the segment path over the array.
     */
    default void decode(byte[] src, int srcOff, int n, float[] dst, int dstOff) {
        decode(MemorySegment.ofArray(src), srcOff, n, dst, dstOff);
    }

    /** The decoder for {@code type}, or null when Sluice cannot read that type. */
    static RowDecoder forType(GgmlType type) {
        return switch (type) {
            case Q4_K -> Q4_KDecoder.INSTANCE;
            case Q6_K -> Q6_KDecoder.INSTANCE;
            default -> RowCodec.supports(type) ? RowCodec.of(type) : null;
        };
    }
}
