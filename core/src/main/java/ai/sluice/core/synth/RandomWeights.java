package ai.sluice.core.synth;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * Fills a tensor's bytes with seeded random weights of a realistic scale, directly in the storage
 * format, in parallel chunks.
 *
 * <p>F32/F16: approximately normal values with the given standard deviation (Irwin-Hall: the sum
 * of four uniforms, cheap and bounded at 3.5 sigma). Q8_0/Q4_0: uniformly random quants with an
 * f16 block scale chosen so that the dequantized weights have about that standard deviation; no
 * quantizer is involved, the numbers only need the right size and speed. The result depends only
 * on the seed, never on the number of threads: each chunk has its own generator.
 */
public final class RandomWeights {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Blocks (or elements, for float types) per parallel task: large enough to amortise the task. */
    private static final long CHUNK = 1 << 16;
    /** Standard deviation of the sum of four 16-bit uniforms: sqrt(4 * 65536^2 / 12). */
    private static final double IRWIN_HALL_4_STD = 65536.0 * Math.sqrt(4.0 / 12.0);
    /** Standard deviation of a uniform int8 (Q8_0 quant) and of a uniform 4-bit quant minus 8 (Q4_0). */
    private static final double Q8_STD = Math.sqrt((256.0 * 256.0 - 1) / 12.0);
    private static final double Q4_STD = Math.sqrt((16.0 * 16.0 - 1) / 12.0);

    private RandomWeights() {
    }

    /** Fills {@code out} (exactly {@code type.byteSize(n)} bytes) with random weights of standard deviation {@code std}. */
    public static void fill(MemorySegment out, GgmlType type, double std, long seed) {
        long units = out.byteSize() / type.bytesPerBlock(); // elements for F32/F16, blocks for Q8_0/Q4_0
        int chunks = (int) ((units + CHUNK - 1) / CHUNK);
        IntStream.range(0, chunks).parallel().forEach(c -> {
            long from = c * CHUNK;
            long to = Math.min(units, from + CHUNK);
            long state = mix(seed ^ mix(c + 0x9E3779B97F4A7C15L));
            switch (type) {
                case F32 -> fillF32(out, from, to, std, state);
                case F16 -> fillF16(out, from, to, std, state);
                case Q8_0 -> fillQuant(out, from, to, 34, std / Q8_STD, state);
                case Q4_0 -> fillQuant(out, from, to, 18, std / Q4_STD, state);
                default -> throw new IllegalArgumentException("cannot synthesize " + type + " weights");
            }
        });
    }

    /** Fills {@code out} with the F32 value {@code value} (norm weights). */
    public static void constant(MemorySegment out, float value) {
        for (long i = 0; i < out.byteSize(); i += 4) {
            out.set(F32, i, value);
        }
    }

    private static void fillF32(MemorySegment out, long from, long to, double std, long state) {
        double scale = std / IRWIN_HALL_4_STD;
        for (long i = from; i < to; i++) {
            state += 0x9E3779B97F4A7C15L;
            out.set(F32, i * 4, (float) (irwinHall(mix(state)) * scale));
        }
    }

    private static void fillF16(MemorySegment out, long from, long to, double std, long state) {
        double scale = std / IRWIN_HALL_4_STD;
        for (long i = from; i < to; i++) {
            state += 0x9E3779B97F4A7C15L;
            out.set(F16, i * 2, Float.floatToFloat16((float) (irwinHall(mix(state)) * scale)));
        }
    }

    /**
     * Q8_0 and Q4_0 blocks: an f16 scale d, then the quants (32 int8, or 32 nibbles in 16 bytes),
     * all random bits. d varies by +-25% between blocks around {@code meanScale}, as real scales do.
     */
    private static void fillQuant(MemorySegment out, long from, long to, int blockBytes, double meanScale,
                                  long state) {
        for (long b = from; b < to; b++) {
            long at = b * blockBytes;
            state += 0x9E3779B97F4A7C15L;
            long r = mix(state);
            double jitter = 0.75 + 0.5 * ((r >>> 11) * 0x1.0p-53);
            out.set(F16, at, Float.floatToFloat16((float) (meanScale * jitter)));
            for (long q = at + 2; q < at + blockBytes; q += 8) {
                state += 0x9E3779B97F4A7C15L;
                out.set(U64, q, mix(state));
            }
        }
    }

    /** Sum of the four 16-bit fields of {@code r}, centred: approximately normal, std {@link #IRWIN_HALL_4_STD}. */
    private static double irwinHall(long r) {
        return (double) ((r & 0xFFFF) + ((r >>> 16) & 0xFFFF) + ((r >>> 32) & 0xFFFF) + (r >>> 48)) - 2 * 65535.0;
    }

    /** SplitMix64's finaliser: a strong 64-bit mix, so consecutive states give independent bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
