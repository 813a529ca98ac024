package ai.sluice.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    @TempDir
    Path dir;

    @Test
    void modelCatalogHasTheWellKnownShapesWithSources() {
        ModelCatalog c = ModelCatalog.builtIn();
        assertThat(c.names()).contains("llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b", "qwen3-8b", "qwen3-32b",
                "qwen3-235b-a22b", "mistral-7b", "mixtral-8x7b");
        for (ModelSpec m : c.all()) {
            assertThat(m.source()).as(m.name()).startsWith("https://");
            assertThat(m.date()).as(m.name()).isNotBlank();
            assertThat(m.heads() % m.kvHeads()).as(m.name()).isZero();
        }
        ModelSpec qwen = c.find("qwen3-235b");
        assertThat(qwen.isMoe()).isTrue();
        assertThat(qwen.totalParams()).isGreaterThan(10 * qwen.activeParams());
    }

    @Test
    void hardwareCatalogHasTheIssuesDevicesWithSourcesAndDates() {
        HardwareCatalog c = HardwareCatalog.builtIn();
        assertThat(c.entries()).extracting(HardwareSpec::name).contains("a100-40gb", "a100-80gb", "l4", "l40s",
                "h100-80gb", "h200-141gb", "b200", "epyc-9654-2s", "dev-vm-2core");
        assertThat(c.find("h100").bandwidthGbps()).isEqualTo(3350);
        assertThat(c.find("H200").memoryGb()).isEqualTo(141);
        assertThat(c.find("h200").bandwidthGbps()).isEqualTo(4800);
        for (HardwareSpec h : c.entries()) {
            assertThat(h.source()).as(h.name()).isNotBlank();
            assertThat(h.date()).as(h.name()).isNotBlank();
        }
        // A100 has no fp8: fp8 work runs at bf16 speed
        assertThat(c.find("a100-80gb").flopsPerSecond(ComputeType.FP8)).isEqualTo(312e12);
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        assertThatThrownBy(() -> ModelCatalog.builtIn().find("gpt-5"))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith("unknown model 'gpt-5'; known: llama-3.1-8b, llama-3.1-70b,")
                .hasMessageEndingWith("(or give a GGUF file with GgufModels.read)");
        assertThatThrownBy(() -> HardwareCatalog.builtIn().find("tpu-v5"))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith("unknown hardware 'tpu-v5'; known: a100-40gb, a100-80gb, l4,")
                .hasMessageEndingWith("(add your own with HardwareCatalog.withFile)");
    }

    @Test
    void aHardwareFileOverridesByNameAndAddsNewDevices() throws IOException {
        Path file = dir.resolve("mine.yaml");
        Files.writeString(file, """
                hardware:
                  - name: h100-80gb
                    kind: gpu
                    memory_gb: 80
                    bandwidth_gbps: 3350
                    bf16_tflops: 989
                    per_node: 8
                    cloud_usd_per_hour: 2.00
                    purchase_usd: 25000
                    source: our reseller quote
                    date: 2026-11
                  - name: rtx-4090
                    kind: gpu
                    memory_gb: 24
                    bandwidth_gbps: 1008
                    bf16_tflops: 165
                    per_node: 4
                    source: https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/
                    date: 2026-11
                """);
        HardwareCatalog c = HardwareCatalog.builtIn().withFile(file);
        assertThat(c.find("h100-80gb").cloudUsdPerHour()).isEqualTo(2.00);
        assertThat(c.find("rtx-4090").memoryGb()).isEqualTo(24);
        assertThat(c.find("rtx-4090").purchaseUsd()).isNull();
        assertThat(c.entries()).filteredOn(h -> h.name().equals("h100-80gb")).hasSize(1);
        Plan p = Planner.plan(new PlanRequest(ModelCatalog.builtIn().find("llama-3.1-8b"), Precision.BF16,
                KvPrecision.F16, 4096, 1, c.find("rtx-4090"), 0.4, 36, null));
        assertThat(p.cost().cloudUsdPerMonth()).isNull();
        assertThat(p.cost().breakEvenMonth()).isNull();
    }

    @Test
    void aMistypedKeyInAHardwareFileIsALineNumberedError() throws IOException {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, """
                hardware:
                  - name: x
                    kind: gpu
                    memory_gb: 80
                    bandwidth_gbps: 1000
                    bf16_tflops: 100
                    tdp_wats: 300
                    per_node: 8
                    source: a datasheet
                """);
        assertThatThrownBy(() -> HardwareCatalog.builtIn().withFile(file))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith(file + ": unknown key 'tdp_wats'; valid keys: ")
                .hasMessageContaining("tdp_watts")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aHardwareEntryWithoutSourceOrBandwidthIsRejected() throws IOException {
        Path file = dir.resolve("nosource.yaml");
        Files.writeString(file, """
                hardware:
                  - name: mystery
                    kind: gpu
                    memory_gb: 80
                    bf16_tflops: 100
                    per_node: 8
                    source: somewhere
                """);
        assertThatThrownBy(() -> HardwareCatalog.builtIn().withFile(file))
                .isInstanceOf(PlanException.class)
                .hasMessageContaining("hardware 'mystery' needs a valid bandwidth_gbps (> 0)");
        assertThatThrownBy(() -> HardwareCatalog.builtIn().withFile(dir.resolve("missing.yaml")))
                .hasMessageStartingWith("no such file: ");
    }
}
