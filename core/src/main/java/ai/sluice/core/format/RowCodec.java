package ai.sluice.core.format;

import ai.sluice.core.gguf.GgmlType;

/**
 * A {@link RowDecoder} that also encodes: converts one tensor row between floats and a GGML storage
 * type, in llama.cpp's byte layout, for the types Sluice can write.
 *
 * <p>The {@code byte[]} forms work on the heap ({@code float[]} and {@code byte[]} scratch buffers
 * owned by the caller) so the quantizer's loops are plain array code; callers copy rows in and out
 * of memory-mapped files in bulk.
 */
public sealed interface RowCodec extends RowDecoder permits F32Codec, F16Codec, Bf16Codec, Q8_0Codec, Q4_0Codec {

    /**
     * Encodes {@code n} floats from {@code src[srcOff..]} into {@code type().byteSize(n)} bytes at
     * {@code dst[dstOff..]}; {@code n} must be a multiple of the block size.
     */
    void encode(float[] src, int srcOff, int n, byte[] dst, int dstOff);

    /** Decodes {@code n} elements stored at {@code src[srcOff..]} into {@code dst[dstOff..]} (scalar array code). */
    @Override
    void decode(byte[] src, int srcOff, int n, float[] dst, int dstOff);

    /** The codec for {@code type}. */
    static RowCodec of(GgmlType type) {
        return switch (type) {
            case F32 -> F32Codec.INSTANCE;
            case F16 -> F16Codec.INSTANCE;
            case BF16 -> Bf16Codec.INSTANCE;
            case Q8_0 -> Q8_0Codec.INSTANCE;
            case Q4_0 -> Q4_0Codec.INSTANCE;
            default -> throw new UnsupportedTypeException(type);
        };
    }

    /** True when {@link #of} has a codec for {@code type}. */
    static boolean supports(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0 -> true;
            default -> false;
        };
    }
}
