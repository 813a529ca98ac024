package ai.sluice.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HalfRoundingTest {

    private static float viaHalf(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    @Test
    void roundsEveryHalfItsNeighboursAndTheMidpointsAsTheConversionDoes() {
        // every finite half, the floats next to it, and the exact midpoints to the next half (ties),
        // the last of them (65520, between the largest half and the overflow) included
        int checked = 0;
        for (int bits = 0; bits < 0x7C00; bits++) {
            for (int sign : new int[] {0, 0x8000}) {
                float h = Float.float16ToFloat((short) (bits | sign));
                float next = Float.float16ToFloat((short) ((bits + 1) | sign));
                float mid = (h + next) / 2; // exact: a float holds 13 more bits
                for (float x : new float[] {h, Math.nextUp(h), Math.nextDown(h), mid, Math.nextUp(mid), Math.nextDown(mid)}) {
                    assertThat(Float.floatToIntBits(HalfRounding.round(x))).as("x = %s", x)
                            .isEqualTo(Float.floatToIntBits(viaHalf(x)));
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(300_000);
    }

    @Test
    void vectorAndScalarFormsGiveTheConversionsBitsOnRandomValues() {
        Random rnd = new Random(7);
        float[] x = new float[100_003];
        for (int i = 0; i < x.length; i++) {
            // magnitudes from 2^-30 (below the smallest subnormal half) to 2^17 (past the largest)
            x[i] = (float) ((rnd.nextBoolean() ? 1 : -1) * Math.pow(2, -30 + 47 * rnd.nextDouble()));
        }
        x[0] = Float.NaN;
        x[1] = Float.POSITIVE_INFINITY;
        x[2] = Float.NEGATIVE_INFINITY;
        x[3] = Float.MAX_VALUE;
        x[4] = -65520f;
        float[] out = new float[x.length + 1];
        HalfRounding.round(x, 0, x.length, out, 1);
        for (int i = 0; i < x.length; i++) {
            float expected = viaHalf(x[i]);
            assertThat(Float.floatToIntBits(out[i + 1])).as("x = %s", x[i]).isEqualTo(Float.floatToIntBits(expected));
            assertThat(Float.floatToIntBits(HalfRounding.round(x[i]))).as("x = %s", x[i]).isEqualTo(Float.floatToIntBits(expected));
        }
    }
}
