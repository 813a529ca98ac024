package ai.sluice.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class PlanReportTest {
    private final Plan plan = Planner.plan(new PlanRequest(ModelCatalog.builtIn().find("llama-3.1-70b"),
            Precision.FP8, KvPrecision.F16, 8192, 4, HardwareCatalog.builtIn().find("h100-80gb"), 0.4, 36, null));

    @Test
    void jsonCarriesEveryFigure() throws Exception {
        JsonNode json = new ObjectMapper().readTree(PlanReport.json(plan));
        assertThat(json.at("/memory/kvBytesPerToken").asLong()).isEqualTo(327_680);
        assertThat(json.at("/memory/weightBytes").asLong()).isEqualTo(plan.memory().weightBytes());
        assertThat(json.at("/parallelism/tensorParallel").asInt()).isEqualTo(plan.parallelism().tensorParallel());
        assertThat(json.at("/inputs/precision").asText()).isEqualTo("fp8");
        assertThat(json.at("/throughput/decodeTokensPerSecondPerSequence").asDouble()).isPositive();
        assertThat(json.at("/cost/breakEvenMonth").isNumber()).isTrue();
        assertThat(json.at("/recommendation").asText()).isEqualTo(plan.recommendation());
    }

    @Test
    void tableShowsEachSectionAndTheKvArithmetic() {
        String table = PlanReport.table(plan);
        assertThat(table).contains("memory", "parallelism", "speed (roofline upper bound)", "cost (40% utilization",
                "recommendation", "327,680 B", "70.55 GB");
        assertThat(table.lines()).allSatisfy(line -> assertThat(line).doesNotEndWith(" "));
    }
}
