package ai.sluice.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One GPU, its primary context made current on the opening thread, and the memory Sluice allocates
 * on it. Use it from one thread (the driver's current context is per thread; {@link #makeCurrent}
 * binds it to another). Closing releases the primary context; buffers still allocated die with it.
 */
public final class CudaContext implements AutoCloseable {
    /** The 32-bit pattern of a quiet NaN: outputs are poisoned with it before a check. */
    public static final int NAN_BITS = 0x7FC00000;
    private static final long STAGING_BYTES = 64L << 20;

    private final CudaDriver driver;
    private final int device;
    private final long context;
    private final DeviceInfo info;
    private boolean closed;

    private CudaContext(CudaDriver driver, int ordinal) {
        this.driver = driver;
        int count = driver.deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new CudaUnavailableException(count == 0 ? "the CUDA driver sees no GPU"
                    : "GPU " + ordinal + " does not exist (the driver sees " + count + ")");
        }
        this.device = driver.device(ordinal);
        this.context = driver.primaryContextRetain(device);
        driver.setCurrent(context);
        this.info = new DeviceInfo(ordinal, driver.deviceName(device),
                driver.attribute(DeviceAttribute.COMPUTE_CAPABILITY_MAJOR, device),
                driver.attribute(DeviceAttribute.COMPUTE_CAPABILITY_MINOR, device),
                driver.attribute(DeviceAttribute.MULTIPROCESSOR_COUNT, device),
                driver.totalMemory(device),
                driver.attribute(DeviceAttribute.CLOCK_RATE_KHZ, device),
                driver.attribute(DeviceAttribute.MEMORY_CLOCK_RATE_KHZ, device),
                driver.attribute(DeviceAttribute.GLOBAL_MEMORY_BUS_WIDTH_BITS, device),
                driver.attribute(DeviceAttribute.L2_CACHE_SIZE, device),
                driver.driverVersion());
    }

    /** GPU {@code ordinal} through the process's driver; {@link CudaUnavailableException} where there is none. */
    public static CudaContext open(int ordinal) {
        return open(CudaDriver.load(), ordinal);
    }

    /** GPU {@code ordinal} through {@code driver}. */
    public static CudaContext open(CudaDriver driver, int ordinal) {
        return new CudaContext(driver, ordinal);
    }

    public CudaDriver driver() {
        return driver;
    }

    public DeviceInfo info() {
        return info;
    }

    /** Makes this context current on the calling thread. */
    public void makeCurrent() {
        driver.setCurrent(context);
    }

    public DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("allocation of " + bytes + " bytes");
        }
        return new DeviceBuffer(driver.memAlloc(bytes), bytes);
    }

    public void free(DeviceBuffer buffer) {
        driver.memFree(buffer.address());
    }

    /**
     * Copies {@code src} (all of it) to the start of {@code dst}. A heap segment (an array) goes through
     * native staging memory in 64 MiB pieces: the driver takes native addresses only.
     */
    public void upload(MemorySegment src, DeviceBuffer dst) {
        if (src.byteSize() > dst.bytes()) {
            throw new IllegalArgumentException(src.byteSize() + " bytes do not fit a device buffer of " + dst.bytes());
        }
        if (src.isNative()) {
            driver.copyToDevice(dst.address(), src, src.byteSize());
            return;
        }
        long piece = Math.min(src.byteSize(), STAGING_BYTES);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment staging = a.allocate(Math.max(1, piece), 64);
            for (long at = 0; at < src.byteSize(); at += piece) {
                long n = Math.min(piece, src.byteSize() - at);
                MemorySegment.copy(src, at, staging, 0, n);
                driver.copyToDevice(dst.address() + at, staging, n);
            }
        }
    }

    public DeviceBuffer upload(float[] values) {
        DeviceBuffer b = allocate(4L * Math.max(1, values.length));
        try (Arena a = Arena.ofConfined()) {
            upload(a.allocateFrom(ValueLayout.JAVA_FLOAT, values), b);
        }
        return b;
    }

    public DeviceBuffer upload(int[] values) {
        DeviceBuffer b = allocate(4L * Math.max(1, values.length));
        try (Arena a = Arena.ofConfined()) {
            upload(a.allocateFrom(ValueLayout.JAVA_INT, values), b);
        }
        return b;
    }

    public DeviceBuffer upload(double[] values) {
        DeviceBuffer b = allocate(8L * Math.max(1, values.length));
        try (Arena a = Arena.ofConfined()) {
            upload(a.allocateFrom(ValueLayout.JAVA_DOUBLE, values), b);
        }
        return b;
    }

    public DeviceBuffer upload(byte[] bytes) {
        DeviceBuffer b = allocate(Math.max(1, bytes.length));
        try (Arena a = Arena.ofConfined()) {
            upload(a.allocateFrom(ValueLayout.JAVA_BYTE, bytes), b);
        }
        return b;
    }

    /** The first {@code count} floats of {@code src}. */
    public float[] downloadFloats(DeviceBuffer src, int count) {
        if (4L * count > src.bytes()) {
            throw new IllegalArgumentException(count + " floats from a buffer of " + src.bytes() + " bytes");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(4L * Math.max(1, count), 16);
            driver.copyToHost(host, src.address(), 4L * count);
            return host.asSlice(0, 4L * count).toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** The first {@code count} bytes of {@code src}. */
    public byte[] downloadBytes(DeviceBuffer src, int count) {
        if (count > src.bytes()) {
            throw new IllegalArgumentException(count + " bytes from a buffer of " + src.bytes() + " bytes");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(Math.max(1, count), 16);
            driver.copyToHost(host, src.address(), count);
            return host.asSlice(0, count).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Fills {@code buffer} with NaNs (whole 32-bit words), so that an element a kernel does not write shows. */
    public void poison(DeviceBuffer buffer) {
        driver.memsetD32(buffer.address(), NAN_BITS, buffer.bytes() / 4);
    }

    public void synchronize() {
        driver.synchronize();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            driver.primaryContextRelease(device);
        }
    }
}
