package ai.sluice.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PrecisionTest {

    @Test
    void ggufBlockFormatsCostTheirScales() {
        assertThat(Precision.Q8_0.bytesFor(32)).isEqualTo(34);   // 32 int8 + one f16 scale
        assertThat(Precision.Q4_0.bytesFor(32)).isEqualTo(18);   // 16 bytes of nibbles + one f16 scale
        assertThat(Precision.Q4_K.bytesFor(256)).isEqualTo(144); // block_q4_K super-block
        assertThat(Precision.BF16.bytesFor(1_000)).isEqualTo(2_000);
        assertThat(Precision.FP8.bytesFor(1_000)).isEqualTo(1_000);
        assertThat(Precision.INT4.bitsPerWeight()).isEqualTo(4.25);
    }

    @Test
    void parsesNamesCaseInsensitivelyWithKQuantMixes() {
        assertThat(Precision.parse("Q4_K_M")).isEqualTo(Precision.Q4_K);
        assertThat(Precision.parse("q8-0")).isEqualTo(Precision.Q8_0);
        assertThat(Precision.parse("FP16")).isEqualTo(Precision.FP16);
        assertThat(KvPrecision.parse("bf16")).isEqualTo(KvPrecision.F16);
    }

    @Test
    void unknownNamesListTheValidOnes() {
        assertThatThrownBy(() -> Precision.parse("int3"))
                .isInstanceOf(PlanException.class)
                .hasMessage("unknown precision 'int3'; did you mean 'int8'? valid: fp32, fp16, bf16, fp8, int8, q8_0, "
                        + "int4, q4_0, q4_k (or 8bit, 4bit, q8, q4, awq, gptq)");
        assertThatThrownBy(() -> KvPrecision.parse("int4"))
                .hasMessage("unknown KV cache type 'int4'; valid: f16, f32, fp8, q8_0");
    }
}
