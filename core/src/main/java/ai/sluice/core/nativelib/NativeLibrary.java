package ai.sluice.core.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * {@code libsluice.so}, loaded once per process: the copy the build put beside the classes (or in
 * the jar, copied to a temporary file first) opened with {@link SymbolLookup#libraryLookup}. Its
 * exported face is two functions: the highest level the CPU runs, and a kernel's address by level
 * and number (a table of kernels, so another library, e.g. for a GPU, can keep the same shape).
 *
 * <p>{@link #load()} either returns the library or throws {@link NativeUnavailableException} with a
 * one-line reason (no library for this platform in the build, the CPU lacks AVX2, ...); the
 * outcome is computed once and kept.
 */
public final class NativeLibrary {
    /** Where the build puts the library, per platform, on the class path. */
    static final String RESOURCE_DIR = "/ai/sluice/core/nativelib/";
    private static final String FILE = "libsluice.so";

    private static final Object LOCK = new Object();
    private static volatile Object outcome; // a NativeLibrary or the NativeUnavailableException

    private final SymbolLookup symbols;
    private final MethodHandle kernel;
    private final NativeLevel cpuLevel;

    private NativeLibrary(SymbolLookup symbols) {
        this.symbols = symbols;
        Linker linker = Linker.nativeLinker();
        MethodHandle level = linker.downcallHandle(symbol("sluice_cpu_level"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        this.kernel = linker.downcallHandle(symbol("sluice_kernel"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try {
            this.cpuLevel = NativeLevel.ofNumber((int) level.invokeExact());
        } catch (Throwable t) {
            throw new IllegalStateException("sluice_cpu_level failed", t);
        }
    }

    /** The library, loaded on first use; throws {@link NativeUnavailableException} where it cannot be. */
    public static NativeLibrary load() {
        Object o = outcome;
        if (o == null) {
            synchronized (LOCK) {
                o = outcome;
                if (o == null) {
                    try {
                        o = open();
                    } catch (NativeUnavailableException e) {
                        o = e;
                    }
                    outcome = o;
                }
            }
        }
        if (o instanceof NativeUnavailableException e) {
            throw new NativeUnavailableException(e.getMessage());
        }
        return (NativeLibrary) o;
    }

    private static NativeLibrary open() {
        String platform = platform();
        String resource = RESOURCE_DIR + platform + "/" + FILE;
        URL url = NativeLibrary.class.getResource(resource);
        if (url == null) {
            throw new NativeUnavailableException("no native kernels for " + platform
                    + " in this build (core/src/main/c/build.sh skips them without a C compiler)");
        }
        SymbolLookup symbols;
        try {
            if (url.getProtocol().equals("file")) {
                symbols = SymbolLookup.libraryLookup(Path.of(url.toURI()), Arena.global());
            } else {
                // in a jar: dlopen needs a file; once opened, the mapping outlives the file
                Path copy = Files.createTempFile("libsluice", ".so");
                try (InputStream in = url.openStream()) {
                    Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                    symbols = SymbolLookup.libraryLookup(copy, Arena.global());
                } finally {
                    Files.deleteIfExists(copy);
                }
            }
        } catch (IOException e) {
            throw new NativeUnavailableException("cannot extract " + resource + " to a temporary file: "
                    + e.getClass().getSimpleName() + " " + e.getMessage());
        } catch (IllegalArgumentException | URISyntaxException e) {
            throw new NativeUnavailableException("cannot load " + url + ": " + e.getMessage());
        } catch (IllegalCallerException e) {
            // --enable-native-access names modules but not this one (the launcher passes ALL-UNNAMED)
            throw new NativeUnavailableException("native access is not enabled for Sluice's code: " + e.getMessage());
        }
        NativeLibrary lib = new NativeLibrary(symbols);
        if (lib.cpuLevel == null) {
            throw new NativeUnavailableException("this CPU lacks AVX2, FMA and F16C, the native kernels' baseline");
        }
        return lib;
    }

    /** {@code linux-x86_64} and the like: the directory the build puts this platform's library in. */
    static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).replace(" ", "");
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64")) {
            arch = "x86_64";
        }
        return os + "-" + arch;
    }

    /** The highest level this CPU (and its OS) runs. */
    public NativeLevel cpuLevel() {
        return cpuLevel;
    }

    /** The address of kernel {@code number} at {@code level}; throws where the CPU cannot run that level. */
    public MemorySegment kernel(NativeLevel level, int number) {
        level.requireRunsOn(cpuLevel);
        try {
            MemorySegment address = (MemorySegment) kernel.invokeExact(level.number(), number);
            if (address.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("libsluice has no kernel " + number + " at level " + level.label());
            }
            return address;
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    /**
     * What a downcall's {@code invokeExact} threw, as an unchecked exception to throw: itself where it
     * is one (an Error is rethrown here), else wrapped. ({@code invokeExact} declares Throwable.)
     */
    public static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    private MemorySegment symbol(String name) {
        return symbols.find(name).orElseThrow(() -> new IllegalStateException("libsluice lacks " + name));
    }

    @Override
    public String toString() {
        return "libsluice (cpu level " + cpuLevel.label() + ")";
    }
}
