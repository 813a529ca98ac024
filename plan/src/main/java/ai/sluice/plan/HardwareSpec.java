package ai.sluice.plan;

import java.util.List;

/**
 * One accelerator or CPU server as the planner sees it. Throughput figures are dense peaks;
 * 0 means the format is not supported and bf16 is used instead. Prices are optional (null).
 *
 * @param name catalog key
 * @param aliases other names it answers to
 * @param kind gpu or cpu
 * @param description human-readable model and memory type
 * @param memoryGb device memory in 10^9 bytes
 * @param bandwidthGbps peak memory bandwidth in 10^9 bytes per second
 * @param bf16Tflops dense bf16 tensor throughput
 * @param fp8Tflops dense fp8 tensor throughput, 0 when absent
 * @param int8Tops dense int8 tensor throughput, 0 when absent
 * @param tdpWatts board power (for the optional electricity cost)
 * @param perNode devices one server holds: tensor parallelism beyond it spans nodes
 * @param cloudUsdPerHour typical on-demand price of one device, or null
 * @param purchaseUsd price of one device with its share of a host server, or null
 * @param source where the specifications come from
 * @param priceSource where the prices come from
 * @param date when the figures were taken
 */
public record HardwareSpec(String name, List<String> aliases, String kind, String description, double memoryGb,
                           double bandwidthGbps, double bf16Tflops, double fp8Tflops, double int8Tops,
                           double tdpWatts, int perNode, Double cloudUsdPerHour, Double purchaseUsd,
                           String source, String priceSource, String date) {

    public HardwareSpec {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        require(name != null && !name.isBlank(), name, "name");
        require("gpu".equals(kind) || "cpu".equals(kind), name, "kind (gpu or cpu)");
        require(memoryGb > 0, name, "memory_gb (> 0)");
        require(bandwidthGbps > 0, name, "bandwidth_gbps (> 0)");
        require(bf16Tflops > 0, name, "bf16_tflops (> 0)");
        require(fp8Tflops >= 0 && int8Tops >= 0 && tdpWatts >= 0, name, "fp8_tflops/int8_tops/tdp_watts (>= 0)");
        require(perNode > 0, name, "per_node (> 0)");
        require(cloudUsdPerHour == null || cloudUsdPerHour >= 0, name, "cloud_usd_per_hour (>= 0)");
        require(purchaseUsd == null || purchaseUsd >= 0, name, "purchase_usd (>= 0)");
        require(source != null && !source.isBlank(), name, "source (where the figures come from)");
    }

    private static void require(boolean ok, String hw, String what) {
        if (!ok) {
            throw new PlanException("hardware '" + hw + "' needs a valid " + what);
        }
    }

    public long memoryBytes() {
        return (long) (memoryGb * 1e9);
    }

    public double bandwidthBytesPerSecond() {
        return bandwidthGbps * 1e9;
    }

    /** Dense peak FLOP/s for {@code type}; formats the device lacks run at bf16 speed. */
    public double flopsPerSecond(ComputeType type) {
        double t = switch (type) {
            case BF16 -> bf16Tflops;
            case FP8 -> fp8Tflops;
            case INT8 -> int8Tops;
        };
        return (t > 0 ? t : bf16Tflops) * 1e12;
    }

    boolean answersTo(String query) {
        if (name.equalsIgnoreCase(query)) {
            return true;
        }
        for (String a : aliases) {
            if (a.equalsIgnoreCase(query)) {
                return true;
            }
        }
        return false;
    }
}
