package ai.sluice.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Issue 22: plan accepts what people type for contexts, precisions and catalog names, and says what it assumes. */
class WhatPeopleTypeTest {
    private static final ModelCatalog MODELS = ModelCatalog.builtIn();
    private static final HardwareCatalog HARDWARE = HardwareCatalog.builtIn();

    @Test
    void contextsTakeAKSuffixOf1024AsLlamaCppMeansIt() {
        assertThat(TokenCount.parse("8k")).isEqualTo(8192);
        assertThat(TokenCount.parse("8K")).isEqualTo(8192);
        assertThat(TokenCount.parse("128k")).isEqualTo(131_072);
        assertThat(TokenCount.parse("1.5k")).isEqualTo(1536);
        assertThat(TokenCount.parse("1m")).isEqualTo(1_048_576);
        assertThat(TokenCount.parse("8,192")).isEqualTo(8192);
        assertThat(TokenCount.parse("4096")).isEqualTo(4096);
        assertThatThrownBy(() -> TokenCount.parse("eight")).hasMessageContaining("not a token count: 'eight'");
        assertThatThrownBy(() -> TokenCount.parse("1.0001k")).hasMessageContaining("not a whole token count");
    }

    @Test
    void precisionsTakeTheirCommonNames() {
        assertThat(Precision.parse("8bit")).isEqualTo(Precision.INT8);
        assertThat(Precision.parse("8-bit")).isEqualTo(Precision.INT8);
        assertThat(Precision.parse("INT8")).isEqualTo(Precision.INT8);
        assertThat(Precision.parse("q8")).isEqualTo(Precision.Q8_0);
        assertThat(Precision.parse("Q8_0")).isEqualTo(Precision.Q8_0);
        assertThat(Precision.parse("4bit")).isEqualTo(Precision.INT4);
        assertThat(Precision.parse("awq")).isEqualTo(Precision.INT4);
        assertThat(Precision.parse("q4")).isEqualTo(Precision.Q4_K);
        assertThat(Precision.parse("Q4_K_M")).isEqualTo(Precision.Q4_K);
        assertThat(Precision.parse("float16")).isEqualTo(Precision.FP16);
        assertThat(Precision.parse("bfloat16")).isEqualTo(Precision.BF16);
        assertThatThrownBy(() -> Precision.parse("int9")).isInstanceOf(PlanException.class)
                .hasMessageStartingWith("unknown precision 'int9'; did you mean 'int8'? valid: fp32,");
    }

    @Test
    void catalogNamesMatchLooselyAndAMissSuggestsTheClosest() {
        assertThat(MODELS.find("Llama 3.1 70B").name()).isEqualTo("llama-3.1-70b");
        assertThat(MODELS.find("meta-llama/Llama-3.1-70B-Instruct").name()).isEqualTo("llama-3.1-70b");
        assertThat(MODELS.find("llama3.1:8b").name()).isEqualTo("llama-3.1-8b");
        assertThat(MODELS.find("QWEN3_32B").name()).isEqualTo("qwen3-32b");
        assertThat(HARDWARE.find("H100").name()).isEqualTo("h100-80gb");
        assertThat(HARDWARE.find("NVIDIA H200").name()).isEqualTo("h200-141gb");
        // A unique prefix is enough; an ambiguous one lists the candidates.
        assertThat(HARDWARE.find("a100-80").name()).isEqualTo("a100-80gb");
        assertThatThrownBy(() -> MODELS.find("mixtral")).hasMessageContaining("did you mean one of mixtral-8x7b, "
                + "mixtral-8x22b?");
        assertThatThrownBy(() -> MODELS.find("lama-3.1-70b"))
                .hasMessageStartingWith("unknown model 'lama-3.1-70b'; did you mean 'llama-3.1-70b'?");
        assertThatThrownBy(() -> HARDWARE.find("h1000"))
                .hasMessageStartingWith("unknown hardware 'h1000'; did you mean 'h100-80gb'?");
    }

    @Test
    void cloudBillingIsExplicitAndReservedPaysAroundTheClock() {
        ModelSpec m = MODELS.find("llama-3.1-8b");
        HardwareSpec h = HARDWARE.find("h100-80gb");
        Plan busy = Planner.plan(new PlanRequest(m, Precision.BF16, KvPrecision.F16, 8192, 4, h, 0.25, 36, null,
                CloudBilling.BUSY_HOURS));
        Plan reserved = Planner.plan(new PlanRequest(m, Precision.BF16, KvPrecision.F16, 8192, 4, h, 0.25, 36, null,
                CloudBilling.RESERVED));
        // 25% utilization: busy-hour billing pays a quarter of the reserved rent, for the same tokens.
        assertThat(reserved.cost().cloudUsdPerMonth()).isCloseTo(busy.cost().cloudUsdPerMonth() * 4,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(reserved.cost().cloudUsdPerMillionTokens()).isCloseTo(busy.cost().cloudUsdPerMillionTokens() * 4,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(PlanReport.table(busy)).contains("billed per busy hour: 183 of 730 h a month",
                "--cloud-reserved", "roofline decode speed above, an upper bound on throughput");
        assertThat(PlanReport.table(reserved)).contains("reserved around the clock: 730 h a month");
        assertThat(reserved.inputs().cloudBilling()).isEqualTo("reserved around the clock");
    }

    @Test
    void listingShowsMemoryBandwidthAndPricePerEntry() {
        String list = PlanReport.catalog(MODELS, HARDWARE);
        HardwareSpec h100 = HARDWARE.find("h100-80gb");
        assertThat(list).containsPattern("h100-80gb\\s+gpu\\s+" + Math.round(h100.memoryGb()) + "\\s+"
                + Math.round(h100.bandwidthGbps()) + "\\s+" + Math.round(h100.bf16Tflops()) + "\\s+"
                + String.format(java.util.Locale.ROOT, "%.2f", h100.cloudUsdPerHour()).replace(".", "\\."));
        assertThat(list).contains("USD/hour", "GB/s", "llama-3.1-70b", "KV/token f16", "327,680 B");
        for (HardwareSpec h : HARDWARE.entries()) {
            assertThat(list).contains(h.name());
        }
    }
}
