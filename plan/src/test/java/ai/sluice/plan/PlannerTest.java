package ai.sluice.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The figures, and hand-computed rooflines, as tests. */
class PlannerTest {
    private static final ModelCatalog MODELS = ModelCatalog.builtIn();
    private static final HardwareCatalog HARDWARE = HardwareCatalog.builtIn();

    private static Plan plan(String model, Precision precision, int context, int concurrency, String hardware) {
        return Planner.plan(new PlanRequest(MODELS.find(model), precision, KvPrecision.F16, context, concurrency,
                HARDWARE.find(hardware), 0.4, 36, null));
    }

    @Test
    void a7bModelNeeds14To20GbAtFp16AndAboutHalfAt8Bit() {
        // one sequence at the model's own 4,096-token context (Llama 2 7B) and at 8,192 (Mistral 7B)
        for (String model : new String[] {"llama-2-7b", "mistral-7b"}) {
            int ctx = model.equals("llama-2-7b") ? 4096 : 8192;
            Plan fp16 = plan(model, Precision.FP16, ctx, 1, "a100-40gb");
            Plan int8 = plan(model, Precision.INT8, ctx, 1, "a100-40gb");
            assertThat(fp16.memory().totalBytes() / 1e9).as(model).isBetween(14.0, 20.0);
            assertThat((double) int8.memory().totalBytes() / fp16.memory().totalBytes()).as(model)
                    .isBetween(0.45, 0.6);
            assertThat(int8.memory().weightBytes() * 2).isEqualTo(fp16.memory().weightBytes());
        }
    }

    @Test
    void qwen3_235bIs470GbOfWeightsAndAbout600GbWithKvAndOverhead() {
        // 24 sequences x 8,192 tokens on 8 x H100: TP 8 stores the 4 KV heads twice
        Plan p = plan("qwen3-235b-a22b", Precision.BF16, 8192, 24, "h100-80gb");
        assertThat(p.memory().weightBytes() / 1e9).isCloseTo(470, within(1.0));
        assertThat(p.parallelism().tensorParallel()).isEqualTo(8);
        assertThat(p.memory().kvDuplication()).isEqualTo(2.0);
        assertThat(p.memory().kvBytes()).isEqualTo(385_024L * 24 * 8192);
        assertThat(p.memory().totalBytes() / 1e9).isCloseTo(600, within(15.0));
        assertThat(p.memory().perDeviceBytes()).isLessThanOrEqualTo(p.memory().deviceBytes());
    }

    @Test
    void h100DecodesAbout2xFasterThanA100ByBandwidth() {
        Plan h100 = plan("llama-3.1-8b", Precision.BF16, 8192, 1, "h100-80gb");
        Plan a100 = plan("llama-3.1-8b", Precision.BF16, 8192, 1, "a100-40gb");
        double ratio = h100.throughput().decodeTokensPerSecondPerSequence()
                / a100.throughput().decodeTokensPerSecondPerSequence();
        assertThat(ratio).isCloseTo(3350.0 / 1555.0, within(1e-9)).isBetween(1.8, 2.3);
        assertThat(h100.throughput().decodeBoundBy()).isEqualTo("memory");
    }

    @Test
    void decodeRooflineIsBandwidthOverWeightsPlusKvRead() {
        Plan p = plan("llama-3.1-8b", Precision.BF16, 8192, 1, "h100-80gb");
        double bytesPerToken = 8.030e9 * 2 + 8192.0 * 131_072;  // all weights + the whole context's KV
        assertThat(p.throughput().decodeTokensPerSecondPerSequence())
                .isCloseTo(3.35e12 / bytesPerToken, within(0.01)).isCloseTo(195.5, within(0.1));
    }

    @Test
    void moeDecodeAtOneSequenceReadsOnlyTheActiveWeights() {
        Plan p = plan("qwen3-235b-a22b", Precision.BF16, 8192, 1, "h100-80gb");
        int tp = p.parallelism().tensorParallel();
        assertThat(tp).isEqualTo(8);
        double bytesPerDevice = 22.0e9 * 2 / tp + 8192.0 * 48_128;
        assertThat(p.throughput().decodeTokensPerSecondPerSequence())
                .isCloseTo(3.35e12 / bytesPerDevice, within(0.01));
        // more sequences route to more experts: the aggregate grows less than linearly
        assertThat(p.throughput().decodeTokensPerSecondAggregateAtMax())
                .isLessThan(p.parallelism().maxConcurrency() * p.throughput().decodeTokensPerSecondAggregate());
    }

    @Test
    void prefillIsComputeBoundAtHalfOfDensePeak() {
        Plan p = plan("llama-3.1-8b", Precision.BF16, 8192, 1, "h100-80gb");
        double flopsPerToken = 2 * 8.030e9 + 2.0 * 32 * 32 * 128 * 8192;  // matmuls + attention over half the prompt
        assertThat(p.throughput().prefillTokensPerSecond()).isCloseTo(989e12 * 0.5 / flopsPerToken, within(0.5));
        assertThat(p.throughput().secondsToFillContext())
                .isCloseTo(8192 / p.throughput().prefillTokensPerSecond(), within(1e-9));
    }

    @Test
    void maxConcurrencyFillsTheDeviceAndOneMoreNeedsTwoDevices() {
        // (80 GB / 1.1 - 16.06 GB weights) / (8192 x 131,072 B) = 52.8 sequences
        Plan p = plan("llama-3.1-8b", Precision.BF16, 8192, 1, "h100-80gb");
        assertThat(p.parallelism().maxConcurrency()).isEqualTo(52);
        assertThat(plan("llama-3.1-8b", Precision.BF16, 8192, 52, "h100-80gb").parallelism().tensorParallel())
                .isEqualTo(1);
        assertThat(plan("llama-3.1-8b", Precision.BF16, 8192, 53, "h100-80gb").parallelism().tensorParallel())
                .isEqualTo(2);
    }

    @Test
    void overheadIsAtLeastOneGibOrTenPercent() {
        assertThat(Planner.overhead(1_000)).isEqualTo(1L << 30);
        assertThat(Planner.overhead(100_000_000_000L)).isEqualTo(10_000_000_000L);
        Plan p = plan("llama-3.1-8b", Precision.BF16, 8192, 1, "h100-80gb");
        long payload = p.memory().weightBytes() + p.memory().kvBytes();
        assertThat(p.memory().overheadBytes()).isEqualTo((long) Math.ceil(payload * 0.1));
        assertThat(p.memory().totalBytes()).isEqualTo(payload + p.memory().overheadBytes());
    }

    @Test
    void llama405bNeedsTwoH100ServersButOneH200Server() {
        Plan h100 = plan("llama-3.1-405b", Precision.BF16, 8192, 1, "h100-80gb");
        assertThat(h100.memory().weightBytes() / 1e9).isCloseTo(811.7, within(0.1));
        assertThat(h100.parallelism().tensorParallel()).isEqualTo(16);
        assertThat(h100.parallelism().nodes()).isEqualTo(2);
        assertThat(h100.recommendation()).contains("across 2 servers");
        Plan h200 = plan("llama-3.1-405b", Precision.BF16, 8192, 1, "h200-141gb");
        assertThat(h200.parallelism().tensorParallel()).isEqualTo(8);
        assertThat(h200.parallelism().nodes()).isEqualTo(1);
    }

    @Test
    void anImpossibleFitSaysWhatToChange() {
        assertThatThrownBy(() -> plan("llama-3.1-405b", Precision.BF16, 131_072, 64, "l4"))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith("llama-3.1-405b at bf16 with 64 x 131072 tokens does not fit l4: even at TP 64")
                .hasMessageContaining("PlanRequest.precision")
                .hasMessageContaining("PlanRequest.context")
                .hasMessageContaining("PlanRequest.concurrency");
    }

    @Test
    void contextBeyondTheModelsTrainingIsRejected() {
        assertThatThrownBy(() -> plan("llama-2-7b", Precision.BF16, 8192, 1, "l4"))
                .isInstanceOf(PlanException.class)
                .hasMessage("PlanRequest.context 8192 exceeds llama-2-7b's trained context of 4096 tokens;"
                        + " use PlanRequest.context 4096 or less");
    }

    @Test
    void cloudPaysForBusyHoursAndBuyingBreaksEvenOnPurchaseOverMonthlyRent() {
        Plan p = plan("llama-3.1-8b", Precision.BF16, 8192, 1, "h100-80gb");
        double cloud = 2.99 * 730 * 0.4;  // $873.08
        assertThat(p.cost().cloudUsdPerMonth()).isCloseTo(cloud, within(1e-6));
        assertThat(p.cost().onPremUsdPerMonth()).isCloseTo(35_000.0 / 36, within(1e-6));
        assertThat(p.cost().breakEvenMonth()).isEqualTo(41);  // ceil(35,000 / 873.08)
        double tokensPerMonth = p.throughput().decodeTokensPerSecondAggregate() * 730 * 0.4 * 3600;
        assertThat(p.cost().cloudUsdPerMillionTokens()).isCloseTo(cloud / tokensPerMonth * 1e6, within(1e-9));
        assertThat(p.recommendation()).contains("rent: buying does not pay off within 36 months");
    }

    @Test
    void powerDelaysBreakEvenAndFullUtilizationMakesBuyingPayOff() {
        Plan powered = Planner.plan(new PlanRequest(MODELS.find("llama-3.1-8b"), Precision.BF16, KvPrecision.F16, 8192, 1,
                HARDWARE.find("h100"), 0.4, 36, 0.15));
        assertThat(powered.cost().powerUsdPerMonth()).isCloseTo(0.7 * 730 * 0.15, within(1e-9));  // $76.65
        assertThat(powered.cost().breakEvenMonth()).isEqualTo(44);  // ceil(35,000 / (873.08 - 76.65))
        Plan busy = Planner.plan(new PlanRequest(MODELS.find("llama-3.1-8b"), Precision.BF16, KvPrecision.F16, 8192, 1,
                HARDWARE.find("h100"), 1.0, 36, null));
        assertThat(busy.cost().breakEvenMonth()).isEqualTo(17);  // ceil(35,000 / 2,182.70)
        assertThat(busy.recommendation()).contains("buying pays off in month 17 at 100% utilization");
    }

    @Test
    void tightPlansSuggestTheNextTensorParallelDegree() {
        Plan p = plan("llama-3.1-70b", Precision.BF16, 8192, 1, "h100-80gb");
        assertThat(p.parallelism().tensorParallel()).isEqualTo(2);
        assertThat(p.parallelism().maxConcurrency()).isEqualTo(1);
        assertThat(p.recommendation()).containsPattern("memory is tight: TP 4 would fit \\d+ sequences");
    }

    @Test
    void badRequestsAreOneLineErrors() {
        ModelSpec m = MODELS.find("mistral-7b");
        HardwareSpec h = HARDWARE.find("l4");
        assertThatThrownBy(() -> new PlanRequest(m, Precision.BF16, KvPrecision.F16, 1024, 0, h, 0.4, 36, null))
                .hasMessage("PlanRequest.concurrency must be at least 1, got 0");
        assertThatThrownBy(() -> new PlanRequest(m, Precision.BF16, KvPrecision.F16, 1024, 1, h, 1.5, 36, null))
                .hasMessage("PlanRequest.utilization must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> new PlanRequest(m, Precision.BF16, KvPrecision.F16, 0, 1, h, 0.4, 36, null))
                .hasMessage("PlanRequest.context must be at least 1 token, got 0");
    }
}
