package ai.sluice.core.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RowCodecTest {

    private static byte[] encode(GgmlType type, float[] x) {
        byte[] out = new byte[Math.toIntExact(type.byteSize(x.length))];
        RowCodec.of(type).encode(x, 0, x.length, out, 0);
        return out;
    }

    private static float[] decode(GgmlType type, byte[] b, int n) {
        float[] x = new float[n];
        RowCodec.of(type).decode(b, 0, n, x, 0);
        return x;
    }

    private static short scaleBits(byte[] block) {
        return (short) ((block[0] & 0xff) | (block[1] & 0xff) << 8);
    }

    @Test
    void q8_0ScalesByAbsoluteMaxOver127AndRoundsHalfAwayFromZero() {
        float[] x = new float[32];
        x[0] = 127f;    // amax -> d = 1, id = 1
        x[1] = -2.5f;   // roundf: -3 (Math.round would give -2)
        x[2] = 2.5f;    // 3
        x[3] = 0.49999997f; // stays 0: floor(x + 0.5f) would give 1
        x[4] = -127f;
        x[5] = 1.4f;
        byte[] b = encode(GgmlType.Q8_0, x);

        assertThat(b).hasSize(34);
        assertThat(Float.float16ToFloat(scaleBits(b))).isEqualTo(1f);
        assertThat(new byte[] {b[2], b[3], b[4], b[5], b[6], b[7], b[8]})
                .containsExactly(127, -3, 3, 0, -127, 1, 0);
    }

    @Test
    void q8_0StoresTheScaleAsF16ButQuantizesWithTheFloatScale() {
        float[] x = new float[32];
        x[0] = 1f;                 // d = 1/127 = 0.007874016 (F16 rounds it to 0.007873535)
        x[1] = 0.5f;               // 0.5 * 127 = 63.5 -> 64 with the float scale
        byte[] b = encode(GgmlType.Q8_0, x);

        assertThat(scaleBits(b)).isEqualTo(Float.floatToFloat16(1f / 127f));
        assertThat(b[2]).isEqualTo((byte) 127);
        assertThat(b[3]).isEqualTo((byte) 64);
    }

    @Test
    void allZeroBlocksGetAZeroScaleAndZeroCodes() {
        byte[] q8 = encode(GgmlType.Q8_0, new float[32]);
        byte[] q4 = encode(GgmlType.Q4_0, new float[32]);

        assertThat(q8).containsOnly(0);
        // 0 / -8 is -0 in IEEE arithmetic; llama.cpp stores that sign bit too.
        assertThat(scaleBits(q4)).isEqualTo((short) 0x8000);
        for (int j = 2; j < q4.length; j++) {
            assertThat(q4[j]).as("byte %d", j).isEqualTo((byte) 0x88); // code 8 = value 0, both nibbles
        }
        for (float v : decode(GgmlType.Q4_0, q4, 32)) {
            assertThat(v == 0f).isTrue(); // 0 or -0
        }
    }

    @Test
    void q4_0MapsTheSignedMaximumToCodeZeroAndPacksElementJWithJPlus16() {
        float[] x = new float[32];
        x[0] = -4f;   // largest magnitude, negative: d = -4 / -8 = 0.5, id = 2
        x[1] = 1f;    // 1 * 2 + 8.5 = 10.5 -> 10
        x[16] = 3.5f; // 7 + 8.5 = 15.5 -> 15
        x[17] = -1.3f; // -2.6 + 8.5 = 5.9 -> 5
        x[18] = 4f;   // +max: 8 + 8.5 = 16.5 -> clamped to 15
        byte[] b = encode(GgmlType.Q4_0, x);

        assertThat(b).hasSize(18);
        assertThat(Float.float16ToFloat(scaleBits(b))).isEqualTo(0.5f);
        assertThat(b[2] & 0xff).isEqualTo(0x0 | 15 << 4);  // element 0 low, element 16 high
        assertThat(b[3] & 0xff).isEqualTo(10 | 5 << 4);    // element 1 low, element 17 high
        assertThat(b[4] & 0xff).isEqualTo(8 | 15 << 4);    // element 2 (zero) low, element 18 high
        float[] back = decode(GgmlType.Q4_0, b, 32);
        assertThat(back[0]).isEqualTo(-4f);
        assertThat(back[1]).isEqualTo(1f);
        assertThat(back[16]).isEqualTo(3.5f);
        assertThat(back[17]).isEqualTo(-1.5f);
        assertThat(back[18]).isEqualTo(3.5f);
    }

    @Test
    void q4_0TakesTheFirstOfEqualMagnitudesSoItsSignDecidesTheScale() {
        float[] x = new float[32];
        x[3] = 2f;
        x[9] = -2f;
        byte[] b = encode(GgmlType.Q4_0, x);

        assertThat(Float.float16ToFloat(scaleBits(b))).isEqualTo(-0.25f);
    }

    @Test
    void roundTripsStayWithinHalfAStepPerBlock() {
        Random random = new Random(42);
        float[] x = new float[32 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * (1 + i / 32));
        }
        float[] q8 = decode(GgmlType.Q8_0, encode(GgmlType.Q8_0, x), x.length);
        float[] q4 = decode(GgmlType.Q4_0, encode(GgmlType.Q4_0, x), x.length);
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            }
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                // Half a step, plus the F16 rounding of the scale (relative 2^-11 of the value).
                assertThat((double) Math.abs(q8[i] - x[i])).as("q8 element %d", i)
                        .isLessThanOrEqualTo(amax / 127 / 2 + amax * 0x1p-10);
                // Q4_0 clamps +max to code 15: that one element may be off by a whole step.
                assertThat((double) Math.abs(q4[i] - x[i])).as("q4 element %d", i)
                        .isLessThanOrEqualTo(amax / 8 + amax * 0x1p-10);
            }
        }
    }

    @Test
    void f16RoundsToNearestEven() {
        float oneUlpHalf = 0x1p-11f;
        float[] x = {1f, 1f + oneUlpHalf, 1f + 3 * oneUlpHalf, 65504f, -0f};
        byte[] b = encode(GgmlType.F16, x);
        float[] back = decode(GgmlType.F16, b, x.length);

        assertThat(back).containsExactly(1f, 1f, 1f + 4 * oneUlpHalf, 65504f, -0f);
        assertThat(b[0] & 0xff | (b[1] & 0xff) << 8).isEqualTo(0x3c00);
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaNsQuiet() {
        assertThat(Bf16Codec.fromFloat(1f)).isEqualTo((short) 0x3f80);
        assertThat(Bf16Codec.fromFloat(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80); // tie, even
        assertThat(Bf16Codec.fromFloat(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82); // tie, up
        assertThat(Bf16Codec.fromFloat(Float.intBitsToFloat(0x3f808001))).isEqualTo((short) 0x3f81);
        assertThat(Bf16Codec.fromFloat(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7f80);
        assertThat(Bf16Codec.toFloat(Bf16Codec.fromFloat(Float.intBitsToFloat(0x7f800001)))).isNaN();
        float[] x = {-2.5f, 3.140625f};
        assertThat(decode(GgmlType.BF16, encode(GgmlType.BF16, x), 2)).containsExactly(-2.5f, 3.140625f);
    }

    @Test
    void f32RoundTripsExactlyInLittleEndian() {
        float[] x = {1f, -0f, Float.MIN_VALUE, Float.NaN};
        byte[] b = encode(GgmlType.F32, x);

        assertThat(b[3]).isEqualTo((byte) 0x3f); // 1.0f = 0x3f800000, most significant byte last
        assertThat(decode(GgmlType.F32, b, 4)).containsExactly(x);
    }

    @Test
    void rejectsRowsThatAreNotWholeBlocksAndTypesWithoutACodec() {
        assertThatThrownBy(() -> RowCodec.of(GgmlType.Q8_0).encode(new float[40], 0, 40, new byte[64], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> RowCodec.of(GgmlType.Q4_K))
                .isInstanceOf(UnsupportedTypeException.class).hasMessageContaining("Q4_K");
    }

    /**
     * The kernels decode from memory segments (vectorized for Q8_0 and Q4_0), the quantizer from
     * byte arrays (scalar): random bytes, so every scale, code and special value, must decode to the
     * same floats both ways. Bits are compared with {@link Float#floatToIntBits}, which folds the NaN
     * payloads (no decoder promises those). The odd offsets make every read unaligned.
     */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void segmentAndArrayDecodersGiveTheSameBits(GgmlType type) {
        RowDecoder decoder = RowDecoder.forType(type);
        assertThat(decoder).isNotNull();
        assertThat(decoder.type()).isEqualTo(type);
        Random random = new Random(7 + type.ordinal());
        int n = 4 * 256; // whole blocks of every type
        int bytes = Math.toIntExact(type.byteSize(n));
        byte[] row = new byte[3 + bytes];
        random.nextBytes(row);
        float[] fromArray = new float[1 + n];
        float[] fromSegment = new float[1 + n];
        decoder.decode(row, 3, n, fromArray, 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offHeap = arena.allocate(row.length + 5L);
            MemorySegment.copy(row, 0, offHeap, ValueLayout.JAVA_BYTE, 5, row.length);
            decoder.decode(offHeap, 5 + 3, n, fromSegment, 1);
        }
        for (int i = 1; i <= n; i++) {
            assertThat(Float.floatToIntBits(fromSegment[i])).as("%s element %d", type, i - 1)
                    .isEqualTo(Float.floatToIntBits(fromArray[i]));
        }
    }

    @Test
    void everyReadableTypeHasOneDecoderAndTheWritableOnesACodec() {
        for (GgmlType type : GgmlType.values()) {
            RowDecoder decoder = RowDecoder.forType(type);
            if (RowCodec.supports(type)) {
                assertThat(decoder).as("%s", type).isSameAs(RowCodec.of(type));
            }
        }
        assertThat(RowDecoder.forType(GgmlType.Q4_K)).isNotInstanceOf(RowCodec.class);
        assertThat(RowDecoder.forType(GgmlType.Q6_K)).isNotInstanceOf(RowCodec.class);
        assertThat(RowDecoder.forType(GgmlType.I8)).isNull();
    }
}
