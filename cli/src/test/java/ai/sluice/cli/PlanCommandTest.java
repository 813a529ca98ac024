package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code sluice plan} through {@link Main} as a user would, capturing stdout and stderr. */
class PlanCommandTest {
    @Test
    void printsATableForACatalogModel() {
        CliRun r = CliRun.of("plan", "--catalog-model", "llama-3.1-70b", "--precision", "fp8", "--concurrency", "8");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("KV per token     327,680 B", "recommendation", "h100-80gb");
    }

    @Test
    void printsJsonForMachines() throws IOException {
        CliRun r = CliRun.of("plan", "--catalog-model", "qwen3-235b-a22b", "--concurrency", "24", "--json");
        assertThat(r.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.at("/parallelism/tensorParallel").asInt()).isEqualTo(8);
        assertThat(json.at("/memory/kvDuplication").asDouble()).isEqualTo(2.0);
        assertThat(json.at("/inputs/context").asInt()).isEqualTo(8192);
    }

    @Test
    void plansARealGgufFileAtItsOwnPrecision() {
        Path model = Path.of(System.getProperty("sluice.shared", "../../shared"), "models", "stories260K.gguf");
        CliRun r = CliRun.of("plan", "--model", model.toString(), "--hardware", "dev-vm", "--kv-type", "f32");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // trained context 2,048 is shorter than the 8,192 default; 2 x 5 x 4 x 8 x 4 bytes per token
        assertThat(r.out()).contains("file (32.00 bits/weight)", "1 x 2,048 tokens", "KV per token     1,280 B",
                "break-even       unknown (no price)");
    }

    @Test
    void unknownNamesAreOneLineErrorsListingTheValidOnes() {
        CliRun model = CliRun.of("plan", "--catalog-model", "gpt-5");
        assertThat(model.exitCode()).isEqualTo(1);
        assertThat(model.err().strip()).startsWith("sluice: error: unknown model 'gpt-5'; known: llama-3.1-8b")
                .doesNotContain("\n");
        CliRun hw = CliRun.of("plan", "--catalog-model", "mistral-7b", "--hardware", "tpu");
        assertThat(hw.err().strip()).startsWith("sluice: error: unknown hardware 'tpu'; known: a100-40gb")
                .doesNotContain("\n");
    }

    @Test
    void anImpossibleFitSaysWhatToChange() {
        CliRun r = CliRun.of("plan", "--catalog-model", "llama-3.1-405b", "--hardware", "l4", "--context", "131072",
                "--concurrency", "64");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).contains("does not fit l4", "--precision").doesNotContain("\n");
    }

    @Test
    void aModelSourceIsRequiredAndListShowsTheCatalogs() {
        assertThat(CliRun.of("plan").err().strip())
                .isEqualTo("sluice: error: give --model FILE.gguf or --catalog-model NAME (see --list)");
        CliRun list = CliRun.of("plan", "--list");
        assertThat(list.out()).containsPattern("(?m)^llama-3\\.1-8b ").containsPattern("(?m)^a100-40gb ");
    }

    @Test
    void aHardwareFileAddsDevices(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("hw.yaml"), """
                hardware:
                  - name: rtx-4090
                    kind: gpu
                    memory_gb: 24
                    bandwidth_gbps: 1008
                    bf16_tflops: 165
                    per_node: 4
                    cloud_usd_per_hour: 0.40
                    purchase_usd: 2500
                    source: https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/
                    date: 2026-11
                """);
        CliRun r = CliRun.of("plan", "--catalog-model", "llama-3.1-8b", "--hardware", "rtx-4090", "--hardware-file",
                file.toString(), "--precision", "q4_k");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("rtx-4090", "q4_k (4.50 bits/weight)");
    }

    @Test
    void acceptsWhatPeopleType() throws IOException {
        CliRun r = CliRun.of("plan", "--catalog-model", "Llama 3.1 8B", "--hardware", "H100", "--precision", "8bit",
                "--context", "8k", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.at("/inputs/model").asText()).isEqualTo("llama-3.1-8b");
        assertThat(json.at("/inputs/hardware").asText()).isEqualTo("h100-80gb");
        assertThat(json.at("/inputs/precision").asText()).isEqualTo("int8");
        assertThat(json.at("/inputs/context").asInt()).isEqualTo(8192);
        assertThat(json.at("/inputs/cloudBilling").asText()).isEqualTo("billed per busy hour");

        CliRun typo = CliRun.of("plan", "--catalog-model", "lama-3.1-70b");
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.err().strip()).startsWith("sluice: error: unknown model 'lama-3.1-70b'; "
                + "did you mean 'llama-3.1-70b'?").doesNotContain("\n");
        CliRun badContext = CliRun.of("plan", "--catalog-model", "llama-3.1-8b", "--context", "lots");
        assertThat(badContext.exitCode()).isEqualTo(2);
        assertThat(badContext.err()).contains("not a token count: 'lots' (use e.g. 8192 or 8k; k = 1024)");
    }

    @Test
    void cloudReservedPaysAroundTheClockAndBothFlagsConflict() throws IOException {
        CliRun busy = CliRun.of("plan", "--catalog-model", "llama-3.1-8b", "--utilization", "0.5", "--json");
        CliRun reserved = CliRun.of("plan", "--catalog-model", "llama-3.1-8b", "--utilization", "0.5",
                "--cloud-reserved", "--json");
        ObjectMapper m = new ObjectMapper();
        double busyRent = m.readTree(busy.out()).at("/cost/cloudUsdPerMonth").asDouble();
        double reservedRent = m.readTree(reserved.out()).at("/cost/cloudUsdPerMonth").asDouble();
        assertThat(reservedRent).isCloseTo(busyRent * 2, org.assertj.core.data.Offset.offset(1e-6));
        CliRun table = CliRun.of("plan", "--catalog-model", "llama-3.1-8b", "--cloud-reserved");
        assertThat(table.out()).contains("reserved around the clock: 730 h a month", "upper bound on throughput");
        CliRun both = CliRun.of("plan", "--catalog-model", "llama-3.1-8b", "--cloud-reserved", "--cloud-busy-hours");
        assertThat(both.exitCode()).isEqualTo(1);
        assertThat(both.err()).contains("give one of --cloud-busy-hours (the default) or --cloud-reserved");
    }

    @Test
    void listShowsMemoryBandwidthAndPrices() {
        CliRun r = CliRun.of("plan", "--list");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).containsPattern("h100-80gb\\s+gpu\\s+80\\s+\\d+\\s+\\d+\\s+\\d+\\.\\d\\d")
                .contains("bandwidth", "USD/hour", "purchase", "qwen3-235b-a22b");
    }

    @Test
    void autoscaleReplaysASpikeAgainstTheHpa() {
        CliRun r = CliRun.of("plan", "autoscale", "--pattern", "spike", "--target", "4", "--peak-rps", "4", "--pod-start", "60");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("hpa         target 4.00 waiting per replica", "00:30", "p99 wait", "total");
    }

    @Test
    void autoscaleRejectsAnUnknownPatternInOneLine() {
        CliRun r = CliRun.of("plan", "autoscale", "--pattern", "weekly", "--target", "4");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("sluice: error: --pattern must be diurnal, spike or a file").doesNotContain("\n");
    }
}
