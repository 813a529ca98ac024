package ai.sluice.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Locale;

/** Renders a {@link Plan}: an aligned table for people, JSON for machines. */
public final class PlanReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanReport() {
    }

    public static String json(Plan plan) {
        try {
            return JSON.writeValueAsString(plan);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize plan", e);
        }
    }

    public static String table(Plan plan) {
        Plan.Inputs in = plan.inputs();
        Plan.Memory m = plan.memory();
        Plan.Parallelism p = plan.parallelism();
        Plan.Throughput t = plan.throughput();
        Plan.Cost c = plan.cost();
        Table out = new Table();
        out.section("model");
        out.row("model", in.model());
        out.row("parameters", in.activeParams() == in.totalParams()
                ? billions(in.totalParams())
                : billions(in.totalParams()) + " total, " + billions(in.activeParams()) + " active (MoE)");
        out.row("weights", String.format(Locale.ROOT, "%s (%.2f bits/weight)", in.precision(), in.bitsPerWeight()));
        out.row("KV cache", in.kvType() + ", " + in.concurrency() + " x " + String.format(Locale.ROOT, "%,d",
                in.context()) + " tokens");
        out.row("hardware", in.hardware());
        out.section("memory");
        out.row("weights", gb(m.weightBytes()));
        out.row("KV per token", String.format(Locale.ROOT, "%,d B (%,d B per device at TP %d%s)",
                m.kvBytesPerToken(), m.kvBytesPerTokenPerDevice(), p.tensorParallel(),
                m.kvDuplication() > 1 ? String.format(Locale.ROOT, ", KV heads stored %.0fx", m.kvDuplication()) : ""));
        out.row("KV cache", gb(m.kvBytes()));
        out.row("overhead", gb(m.overheadBytes()) + "  (" + in.overheadRule() + ")");
        out.row("total", gb(m.totalBytes()));
        out.row("per device", gb(m.perDeviceBytes()) + " of " + gb(m.deviceBytes()));
        out.section("parallelism");
        out.row("devices", p.tensorParallel() + " (tensor parallel " + p.tensorParallel()
                + (p.nodes() > 1 ? ", " + p.nodes() + " servers" : "") + ")");
        out.row("max concurrency", p.maxConcurrency() + " sequences of " + String.format(Locale.ROOT, "%,d",
                in.context()) + " tokens");
        out.section("speed (roofline upper bound)");
        out.row("decode", String.format(Locale.ROOT, "%.1f tok/s per sequence, %.1f tok/s total (%s-bound)",
                t.decodeTokensPerSecondPerSequence(), t.decodeTokensPerSecondAggregate(), t.decodeBoundBy()));
        out.row("decode at max", String.format(Locale.ROOT, "%.1f tok/s total at %d sequences",
                t.decodeTokensPerSecondAggregateAtMax(), p.maxConcurrency()));
        out.row("prefill", String.format(Locale.ROOT, "%,.0f tok/s; a full %,d-token prompt in %.2f s",
                t.prefillTokensPerSecond(), in.context(), t.secondsToFillContext()));
        out.section(String.format(Locale.ROOT, "cost (%.0f%% utilization, %d-month amortization)",
                in.utilization() * 100, in.amortizationMonths()));
        out.line("per-token costs assume the roofline decode speed above, an upper bound on throughput:");
        out.line("real engines reach ~50-80% of it, so real costs per token are higher");
        boolean reserved = in.cloudBilling().equals(CloudBilling.RESERVED.description());
        out.row("cloud billing", reserved
                ? "reserved around the clock: 730 h a month whatever the load (--cloud-busy-hours: only busy hours)"
                : String.format(Locale.ROOT, "billed per busy hour: %.0f of 730 h a month at %.0f%% utilization"
                        + " (--cloud-reserved: around the clock)", Planner.HOURS_PER_MONTH * in.utilization(),
                in.utilization() * 100));
        out.row("cloud", c.cloudUsdPerMonth() == null ? "no price in catalog"
                : usd(c.cloudUsdPerMonth()) + "/month, " + usd(c.cloudUsdPerMillionTokens()) + " per 1M output tokens");
        out.row("on-prem", c.onPremUsdPerMonth() == null ? "no price in catalog"
                : usd(c.onPremUsdPerMonth()) + "/month" + (c.powerUsdPerMonth() > 0
                ? " (power " + usd(c.powerUsdPerMonth()) + ")" : " (power not priced)") + ", "
                + usd(c.onPremUsdPerMillionTokens()) + " per 1M output tokens");
        out.row("break-even", c.cloudUsdPerMonth() == null || c.onPremUsdPerMonth() == null ? "unknown (no price)"
                : c.breakEvenMonth() == null ? "never (renting is cheaper)" : "month " + c.breakEvenMonth());
        out.section("recommendation");
        out.line(plan.recommendation());
        return out.toString();
    }

    /**
     * {@code plan --list}: every catalog entry with the figures a choice depends on. Hardware: memory,
     * bandwidth, dense bf16 peak, and prices ("-" where the catalog has none); models: parameters, layers,
     * KV heads, trained context, and the KV cache one token costs at f16.
     */
    public static String catalog(ModelCatalog models, HardwareCatalog hardware) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-16s %-4s %8s %9s %9s %10s %10s%n", "hardware", "kind", "memory",
                "bandwidth", "bf16 peak", "cloud", "purchase"));
        b.append(String.format(Locale.ROOT, "%-16s %-4s %8s %9s %9s %10s %10s%n", "", "", "GB", "GB/s", "TFLOPS",
                "USD/hour", "USD"));
        for (HardwareSpec h : hardware.entries()) {
            b.append(String.format(Locale.ROOT, "%-16s %-4s %8.0f %9.0f %9s %10s %10s%n", h.name(), h.kind(),
                    h.memoryGb(), h.bandwidthGbps(), String.format(Locale.ROOT, h.bf16Tflops() < 10 ? "%.2f" : "%.0f",
                            h.bf16Tflops()),
                    h.cloudUsdPerHour() == null ? "-" : String.format(Locale.ROOT, "%.2f", h.cloudUsdPerHour()),
                    h.purchaseUsd() == null ? "-" : String.format(Locale.ROOT, "%,.0f", h.purchaseUsd())));
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "%-16s %17s %6s %8s %8s %12s%n", "model", "parameters", "layers",
                "KV heads", "context", "KV/token f16"));
        for (ModelSpec m : models.all()) {
            String params = m.activeParams() == m.totalParams() ? billions(m.totalParams())
                    : billions(m.totalParams()) + " (" + billions(m.activeParams()) + ")";
            b.append(String.format(Locale.ROOT, "%-16s %17s %6d %8d %8s %12s%n", m.name(), params, m.layers(),
                    m.kvHeads(), String.format(Locale.ROOT, "%,d", m.contextLength()),
                    String.format(Locale.ROOT, "%,d B", m.kvBytesPerToken(KvPrecision.F16))));
        }
        b.append("names match loosely (case and separators do not matter); MoE models show active parameters in"
                + " parentheses\n");
        return b.toString();
    }

    /** Decimal units, as vendors quote memory: GB for real models, MB/kB for test-sized ones. */
    private static String gb(long bytes) {
        if (bytes >= 1e9) {
            return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
        }
        return bytes >= 1e6 ? String.format(Locale.ROOT, "%.2f MB", bytes / 1e6)
                : String.format(Locale.ROOT, "%.2f kB", bytes / 1e3);
    }

    private static String billions(long params) {
        if (params >= 1e9) {
            return String.format(Locale.ROOT, "%.2fB", params / 1e9);
        }
        return params >= 1e6 ? String.format(Locale.ROOT, "%.2fM", params / 1e6)
                : String.format(Locale.ROOT, "%.1fK", params / 1e3);
    }

    private static String usd(double dollars) {
        return dollars >= 100 ? String.format(Locale.ROOT, "$%,.0f", dollars)
                : String.format(Locale.ROOT, "$%,.2f", dollars);
    }

    /** Two columns under section headings. */
    private static final class Table {
        private final StringBuilder sb = new StringBuilder();

        void section(String title) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(title).append('\n');
        }

        void row(String label, String value) {
            sb.append(String.format(Locale.ROOT, "  %-16s %s\n", label, value));
        }

        void line(String text) {
            sb.append("  ").append(text).append('\n');
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
