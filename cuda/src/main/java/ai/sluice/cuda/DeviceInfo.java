package ai.sluice.cuda;

import java.util.Locale;

/**
 * What Sluice reads about a GPU.
 *
 * @param memoryClockKhz the driver's peak memory clock; with {@code busWidthBits} it gives a
 *                       theoretical bandwidth that is only a lead (HBM3's clock is reported oddly);
 *                       {@link #rooflineBytesPerSecond()} uses the datasheet figure where the name is known
 */
public record DeviceInfo(int ordinal, String name, int computeMajor, int computeMinor, int multiprocessors,
        long totalMemory, int clockKhz, int memoryClockKhz, int busWidthBits, int l2Bytes, int driverVersion) {

    /** {@code sm_90} and the like. */
    public String smTarget() {
        return "sm_" + computeMajor + computeMinor;
    }

    /**
     * The memory bandwidth a kernel is judged against: the datasheet's for the cards Sluice is measured
     * on (H100 SXM 3.35 TB/s, H200 4.8 TB/s, A100 80 GB 2.04 TB/s), else 2 x memory clock x bus width.
     */
    public double rooflineBytesPerSecond() {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.contains("H200")) {
            return 4.8e12;
        }
        if (n.contains("H100")) {
            return n.contains("PCIE") ? 2.0e12 : 3.35e12;
        }
        if (n.contains("A100")) {
            return totalMemory > 60L << 30 ? 2.039e12 : 1.555e12;
        }
        return 2.0 * memoryClockKhz * 1e3 * busWidthBits / 8.0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "GPU %d: %s (%s, %d SMs, %.1f GiB, L2 %d MiB, driver CUDA %d.%d, roofline %.2f TB/s)",
                ordinal, name, smTarget(), multiprocessors, totalMemory / (double) (1L << 30), l2Bytes >> 20,
                driverVersion / 1000, driverVersion % 1000 / 10, rooflineBytesPerSecond() / 1e12);
    }
}
