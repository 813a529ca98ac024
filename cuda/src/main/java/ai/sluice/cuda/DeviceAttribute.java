package ai.sluice.cuda;

/** The {@code CUdevice_attribute} numbers (cuda.h) Sluice reads. */
public final class DeviceAttribute {
    public static final int CLOCK_RATE_KHZ = 13;
    public static final int MULTIPROCESSOR_COUNT = 16;
    public static final int MEMORY_CLOCK_RATE_KHZ = 36;
    public static final int GLOBAL_MEMORY_BUS_WIDTH_BITS = 37;
    public static final int L2_CACHE_SIZE = 38;
    public static final int COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int COMPUTE_CAPABILITY_MINOR = 76;
    public static final int MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;

    private DeviceAttribute() {
    }
}
