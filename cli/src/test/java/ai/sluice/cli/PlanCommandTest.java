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
        assertThat(list.out()).contains("models:   llama-3.1-8b", "hardware: a100-40gb");
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
