package ai.sluice.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Hand-written FFM bindings to the CUDA driver API ({@code libcuda.so.1}, which the NVIDIA driver
 * installs; no CUDA runtime, no toolkit needed at run time): the calls Sluice's kernels need, each
 * return code checked. A failing call throws {@link CudaException} naming the call and the error.
 *
 * <p>Handles ({@code CUcontext}, {@code CUmodule}, {@code CUfunction}, {@code CUstream},
 * {@code CUevent}) and device pointers travel as {@code long}s: on x86-64 and AArch64 a pointer and a
 * 64-bit integer are passed alike. The exported names are the ones cuda.h maps its macros to
 * ({@code cuMemAlloc_v2}, ...): binding the plain names would get the old 32-bit ABI.
 *
 * <p>The driver's current context is per thread: the methods run in whatever context the calling
 * thread has ({@link CudaContext} makes its own current when it opens).
 */
public final class CudaDriver {
    /** The driver library's soname. */
    public static final String LIBRARY = "libcuda.so.1";
    /** Overrides {@link #LIBRARY} (a path or another soname), e.g. to test the missing-driver message. */
    public static final String LIBRARY_VARIABLE = "SLUICE_LIBCUDA";

    private static final Object LOCK = new Object();
    private static volatile Object outcome; // the CudaDriver or the CudaUnavailableException

    private final String library;
    private final SymbolLookup symbols;
    private final Linker linker = Linker.nativeLinker();

    private final MethodHandle cuGetErrorName;
    private final MethodHandle cuGetErrorString;
    private final MethodHandle cuInit;
    private final MethodHandle cuDriverGetVersion;
    private final MethodHandle cuDeviceGetCount;
    private final MethodHandle cuDeviceGet;
    private final MethodHandle cuDeviceGetName;
    private final MethodHandle cuDeviceGetAttribute;
    private final MethodHandle cuDeviceTotalMem;
    private final MethodHandle cuDevicePrimaryCtxRetain;
    private final MethodHandle cuDevicePrimaryCtxRelease;
    private final MethodHandle cuCtxSetCurrent;
    private final MethodHandle cuCtxSynchronize;
    private final MethodHandle cuModuleLoadData;
    private final MethodHandle cuModuleUnload;
    private final MethodHandle cuModuleGetFunction;
    private final MethodHandle cuFuncSetAttribute;
    private final MethodHandle cuMemAlloc;
    private final MethodHandle cuMemFree;
    private final MethodHandle cuMemGetInfo;
    private final MethodHandle cuMemsetD8;
    private final MethodHandle cuMemsetD32;
    private final MethodHandle cuMemcpyHtoD;
    private final MethodHandle cuMemcpyDtoH;
    private final MethodHandle cuMemcpyDtoD;
    private final MethodHandle cuStreamCreate;
    private final MethodHandle cuStreamSynchronize;
    private final MethodHandle cuStreamDestroy;
    private final MethodHandle cuEventCreate;
    private final MethodHandle cuEventRecord;
    private final MethodHandle cuEventSynchronize;
    private final MethodHandle cuEventElapsedTime;
    private final MethodHandle cuEventDestroy;
    private final MethodHandle cuLaunchKernel;

    private CudaDriver(String library, SymbolLookup symbols) {
        this.library = library;
        this.symbols = symbols;
        cuGetErrorName = bind("cuGetErrorName", JAVA_INT, ADDRESS);
        cuGetErrorString = bind("cuGetErrorString", JAVA_INT, ADDRESS);
        cuInit = bind("cuInit", JAVA_INT);
        cuDriverGetVersion = bind("cuDriverGetVersion", ADDRESS);
        cuDeviceGetCount = bind("cuDeviceGetCount", ADDRESS);
        cuDeviceGet = bind("cuDeviceGet", ADDRESS, JAVA_INT);
        cuDeviceGetName = bind("cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceGetAttribute = bind("cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceTotalMem = bind("cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRetain = bind("cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRelease = bind("cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        cuCtxSetCurrent = bind("cuCtxSetCurrent", JAVA_LONG);
        cuCtxSynchronize = bind("cuCtxSynchronize");
        cuModuleLoadData = bind("cuModuleLoadData", ADDRESS, ADDRESS);
        cuModuleUnload = bind("cuModuleUnload", JAVA_LONG);
        cuModuleGetFunction = bind("cuModuleGetFunction", ADDRESS, JAVA_LONG, ADDRESS);
        cuFuncSetAttribute = bind("cuFuncSetAttribute", JAVA_LONG, JAVA_INT, JAVA_INT);
        cuMemAlloc = bind("cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        cuMemFree = bind("cuMemFree_v2", JAVA_LONG);
        cuMemGetInfo = bind("cuMemGetInfo_v2", ADDRESS, ADDRESS);
        cuMemsetD8 = bind("cuMemsetD8_v2", JAVA_LONG, JAVA_BYTE, JAVA_LONG);
        cuMemsetD32 = bind("cuMemsetD32_v2", JAVA_LONG, JAVA_INT, JAVA_LONG);
        cuMemcpyHtoD = bind("cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
        cuMemcpyDtoH = bind("cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        cuMemcpyDtoD = bind("cuMemcpyDtoD_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG);
        cuStreamCreate = bind("cuStreamCreate", ADDRESS, JAVA_INT);
        cuStreamSynchronize = bind("cuStreamSynchronize", JAVA_LONG);
        cuStreamDestroy = bind("cuStreamDestroy_v2", JAVA_LONG);
        cuEventCreate = bind("cuEventCreate", ADDRESS, JAVA_INT);
        cuEventRecord = bind("cuEventRecord", JAVA_LONG, JAVA_LONG);
        cuEventSynchronize = bind("cuEventSynchronize", JAVA_LONG);
        // CUDA 13 headers map cuEventElapsedTime to _v2 (same arguments); older drivers have only the plain name
        cuEventElapsedTime = bind(symbols.find("cuEventElapsedTime_v2").isPresent() ? "cuEventElapsedTime_v2"
                : "cuEventElapsedTime", ADDRESS, JAVA_LONG, JAVA_LONG);
        cuEventDestroy = bind("cuEventDestroy_v2", JAVA_LONG);
        cuLaunchKernel = bind("cuLaunchKernel", JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
    }

    /**
     * The driver, opened and initialised ({@code cuInit}) once per process; throws
     * {@link CudaUnavailableException} with a one-line reason where it cannot be (no library, no GPU).
     */
    public static CudaDriver load() {
        Object o = outcome;
        if (o == null) {
            synchronized (LOCK) {
                o = outcome;
                if (o == null) {
                    String v = System.getenv(LIBRARY_VARIABLE);
                    try {
                        o = open(v == null || v.isBlank() ? LIBRARY : v);
                    } catch (CudaUnavailableException e) {
                        o = e;
                    }
                    outcome = o;
                }
            }
        }
        if (o instanceof CudaUnavailableException e) {
            throw new CudaUnavailableException(e.getMessage());
        }
        return (CudaDriver) o;
    }

    /** Opens {@code library} (a soname or a path) and initialises it; not cached (tests, tools). */
    public static CudaDriver open(String library) {
        SymbolLookup symbols;
        try {
            symbols = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new CudaUnavailableException("no CUDA driver: " + library + " cannot be loaded (the NVIDIA driver is "
                    + "not installed, or this machine has no GPU)");
        } catch (IllegalCallerException e) {
            throw new CudaUnavailableException("native access is not enabled for Sluice's code (run with "
                    + "--enable-native-access=ALL-UNNAMED): " + e.getMessage());
        }
        if (symbols.find("cuInit").isEmpty() || symbols.find("cuGetErrorName").isEmpty()) {
            throw new CudaUnavailableException("no CUDA driver: " + library + " loads but is not the CUDA driver "
                    + "library (it lacks cuInit)");
        }
        CudaDriver driver;
        try {
            driver = new CudaDriver(library, symbols);
        } catch (IllegalStateException e) {
            throw new CudaUnavailableException("CUDA driver " + library + " is too old: " + e.getMessage());
        }
        int rc = driver.rawInit();
        if (rc != CudaErrors.SUCCESS) {
            throw new CudaUnavailableException("CUDA driver " + library + " found, but cuInit failed: "
                    + driver.errorName(rc) + " (" + driver.errorString(rc) + ")");
        }
        return driver;
    }

    private MethodHandle bind(String name, MemoryLayout... args) {
        MemorySegment address = symbols.find(name)
                .orElseThrow(() -> new IllegalStateException("it lacks " + name));
        return linker.downcallHandle(address, FunctionDescriptor.of(JAVA_INT, args));
    }

    /** The library this driver was opened from. */
    public String library() {
        return library;
    }

    // ---- errors ---------------------------------------------------------------------------------

    /** The driver's name for {@code code} ({@code CUDA_ERROR_...}), else {@link CudaErrors#name}. */
    public String errorName(int code) {
        return describe(cuGetErrorName, code, CudaErrors.name(code));
    }

    /** The driver's description of {@code code}, or "" where it has none. */
    public String errorString(int code) {
        return describe(cuGetErrorString, code, "");
    }

    private static String describe(MethodHandle h, int code, String fallback) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) h.invokeExact(code, out);
            MemorySegment s = out.get(ADDRESS, 0);
            if (rc != CudaErrors.SUCCESS || s.equals(MemorySegment.NULL)) {
                return fallback;
            }
            return s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return fallback;
        }
    }

    private void check(String call, int rc) {
        if (rc != CudaErrors.SUCCESS) {
            throw new CudaException(call, rc, errorName(rc), errorString(rc));
        }
    }

    private static RuntimeException failed(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(call + " could not be called", t);
    }

    private int rawInit() {
        try {
            return (int) cuInit.invokeExact(0);
        } catch (Throwable t) {
            throw failed("cuInit", t);
        }
    }

    // ---- devices --------------------------------------------------------------------------------

    /** The driver's CUDA version, e.g. 13000 for 13.0. */
    public int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDriverGetVersion", (int) cuDriverGetVersion.invokeExact(out));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw failed("cuDriverGetVersion", t);
        }
    }

    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDeviceGetCount", (int) cuDeviceGetCount.invokeExact(out));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw failed("cuDeviceGetCount", t);
        }
    }

    /** The {@code CUdevice} of ordinal {@code ordinal}. */
    public int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDeviceGet", (int) cuDeviceGet.invokeExact(out, ordinal));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw failed("cuDeviceGet", t);
        }
    }

    public String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(256);
            check("cuDeviceGetName", (int) cuDeviceGetName.invokeExact(out, 256, device));
            return out.getString(0);
        } catch (Throwable t) {
            throw failed("cuDeviceGetName", t);
        }
    }

    /** {@code cuDeviceGetAttribute}; see {@link DeviceAttribute} for the numbers Sluice reads. */
    public int attribute(int attribute, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDeviceGetAttribute", (int) cuDeviceGetAttribute.invokeExact(out, attribute, device));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw failed("cuDeviceGetAttribute", t);
        }
    }

    public long totalMemory(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check("cuDeviceTotalMem_v2", (int) cuDeviceTotalMem.invokeExact(out, device));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw failed("cuDeviceTotalMem_v2", t);
        }
    }

    // ---- contexts -------------------------------------------------------------------------------

    /**
     * The device's primary context, retained (the context the CUDA runtime would use too; CUDA 13
     * changed {@code cuCtxCreate}'s signature, the primary context API stayed).
     */
    public long primaryContextRetain(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check("cuDevicePrimaryCtxRetain", (int) cuDevicePrimaryCtxRetain.invokeExact(out, device));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw failed("cuDevicePrimaryCtxRetain", t);
        }
    }

    public void primaryContextRelease(int device) {
        try {
            check("cuDevicePrimaryCtxRelease_v2", (int) cuDevicePrimaryCtxRelease.invokeExact(device));
        } catch (Throwable t) {
            throw failed("cuDevicePrimaryCtxRelease_v2", t);
        }
    }

    public void setCurrent(long context) {
        try {
            check("cuCtxSetCurrent", (int) cuCtxSetCurrent.invokeExact(context));
        } catch (Throwable t) {
            throw failed("cuCtxSetCurrent", t);
        }
    }

    /** Waits for all work of the current context; a kernel's fault surfaces here at the latest. */
    public void synchronize() {
        try {
            check("cuCtxSynchronize", (int) cuCtxSynchronize.invokeExact());
        } catch (Throwable t) {
            throw failed("cuCtxSynchronize", t);
        }
    }

    // ---- modules --------------------------------------------------------------------------------

    /** Loads a module from an image in host memory (a fatbin, cubin or PTX); returns the CUmodule. */
    public long moduleLoadData(MemorySegment image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check("cuModuleLoadData", (int) cuModuleLoadData.invokeExact(out, image));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw failed("cuModuleLoadData", t);
        }
    }

    public void moduleUnload(long module) {
        try {
            check("cuModuleUnload", (int) cuModuleUnload.invokeExact(module));
        } catch (Throwable t) {
            throw failed("cuModuleUnload", t);
        }
    }

    /** The CUfunction {@code name} (an {@code extern "C"} kernel) of {@code module}. */
    public long moduleFunction(long module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            int rc = (int) cuModuleGetFunction.invokeExact(out, module, a.allocateFrom(name));
            check("cuModuleGetFunction(" + name + ")", rc);
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw failed("cuModuleGetFunction", t);
        }
    }

    public void functionSetAttribute(long function, int attribute, int value) {
        try {
            check("cuFuncSetAttribute", (int) cuFuncSetAttribute.invokeExact(function, attribute, value));
        } catch (Throwable t) {
            throw failed("cuFuncSetAttribute", t);
        }
    }

    // ---- memory ---------------------------------------------------------------------------------

    /** Allocates {@code bytes} of device memory (plain allocations, never managed memory); returns the address. */
    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            int rc = (int) cuMemAlloc.invokeExact(out, bytes);
            check("cuMemAlloc_v2(" + bytes + " bytes)", rc);
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw failed("cuMemAlloc_v2", t);
        }
    }

    public void memFree(long pointer) {
        try {
            check("cuMemFree_v2", (int) cuMemFree.invokeExact(pointer));
        } catch (Throwable t) {
            throw failed("cuMemFree_v2", t);
        }
    }

    /** Free and total device memory of the current context's device. */
    public MemoryInfo memoryInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG);
            MemorySegment total = a.allocate(JAVA_LONG);
            check("cuMemGetInfo_v2", (int) cuMemGetInfo.invokeExact(free, total));
            return new MemoryInfo(free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0));
        } catch (Throwable t) {
            throw failed("cuMemGetInfo_v2", t);
        }
    }

    /** Free and total bytes of device memory. */
    public record MemoryInfo(long free, long total) {
    }

    public void memsetD8(long pointer, byte value, long count) {
        try {
            check("cuMemsetD8_v2", (int) cuMemsetD8.invokeExact(pointer, value, count));
        } catch (Throwable t) {
            throw failed("cuMemsetD8_v2", t);
        }
    }

    /** Sets {@code count} 32-bit words (e.g. a NaN pattern to poison a float output). */
    public void memsetD32(long pointer, int value, long count) {
        try {
            check("cuMemsetD32_v2", (int) cuMemsetD32.invokeExact(pointer, value, count));
        } catch (Throwable t) {
            throw failed("cuMemsetD32_v2", t);
        }
    }

    public void copyToDevice(long dst, MemorySegment src, long bytes) {
        try {
            check("cuMemcpyHtoD_v2", (int) cuMemcpyHtoD.invokeExact(dst, src, bytes));
        } catch (Throwable t) {
            throw failed("cuMemcpyHtoD_v2", t);
        }
    }

    public void copyToHost(MemorySegment dst, long src, long bytes) {
        try {
            check("cuMemcpyDtoH_v2", (int) cuMemcpyDtoH.invokeExact(dst, src, bytes));
        } catch (Throwable t) {
            throw failed("cuMemcpyDtoH_v2", t);
        }
    }

    public void copyOnDevice(long dst, long src, long bytes) {
        try {
            check("cuMemcpyDtoD_v2", (int) cuMemcpyDtoD.invokeExact(dst, src, bytes));
        } catch (Throwable t) {
            throw failed("cuMemcpyDtoD_v2", t);
        }
    }

    // ---- streams and events ---------------------------------------------------------------------

    public long streamCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check("cuStreamCreate", (int) cuStreamCreate.invokeExact(out, flags));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw failed("cuStreamCreate", t);
        }
    }

    public void streamSynchronize(long stream) {
        try {
            check("cuStreamSynchronize", (int) cuStreamSynchronize.invokeExact(stream));
        } catch (Throwable t) {
            throw failed("cuStreamSynchronize", t);
        }
    }

    public void streamDestroy(long stream) {
        try {
            check("cuStreamDestroy_v2", (int) cuStreamDestroy.invokeExact(stream));
        } catch (Throwable t) {
            throw failed("cuStreamDestroy_v2", t);
        }
    }

    public long eventCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check("cuEventCreate", (int) cuEventCreate.invokeExact(out, flags));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw failed("cuEventCreate", t);
        }
    }

    public void eventRecord(long event, long stream) {
        try {
            check("cuEventRecord", (int) cuEventRecord.invokeExact(event, stream));
        } catch (Throwable t) {
            throw failed("cuEventRecord", t);
        }
    }

    public void eventSynchronize(long event) {
        try {
            check("cuEventSynchronize", (int) cuEventSynchronize.invokeExact(event));
        } catch (Throwable t) {
            throw failed("cuEventSynchronize", t);
        }
    }

    /** Milliseconds between two recorded, completed events. */
    public float eventElapsedMillis(long start, long end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_FLOAT);
            check("cuEventElapsedTime", (int) cuEventElapsedTime.invokeExact(out, start, end));
            return out.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw failed("cuEventElapsedTime", t);
        }
    }

    public void eventDestroy(long event) {
        try {
            check("cuEventDestroy_v2", (int) cuEventDestroy.invokeExact(event));
        } catch (Throwable t) {
            throw failed("cuEventDestroy_v2", t);
        }
    }

    // ---- launches -------------------------------------------------------------------------------

    /**
     * {@code cuLaunchKernel}: {@code params} is the {@code void*[]} of pointers to each argument's
     * value ({@link KernelArgs} builds it). Asynchronous: a fault inside the kernel shows at the next
     * synchronizing call.
     */
    public void launch(long function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
            int sharedBytes, long stream, MemorySegment params) {
        try {
            check("cuLaunchKernel", (int) cuLaunchKernel.invokeExact(function, gridX, gridY, gridZ, blockX, blockY,
                    blockZ, sharedBytes, stream, params, MemorySegment.NULL));
        } catch (Throwable t) {
            throw failed("cuLaunchKernel", t);
        }
    }
}
