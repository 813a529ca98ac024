package ai.sluice.core.testing;

import ai.sluice.core.nativelib.NativeLevel;
import ai.sluice.core.nativelib.NativeLibrary;
import ai.sluice.core.nativelib.NativeUnavailableException;
import ai.sluice.core.tensor.KernelChoice;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * For tests that run on both kernel paths: the native one skips, saying why, only where the
 * library cannot have been built (no gcc on the PATH, not x86-64 Linux, or SLUICE_NATIVE_BUILD=0);
 * where gcc is present, or on CI ({@code SLUICE_CI} or {@code CI}; .ci/run installs gcc), a library that
 * does not load fails the test.
 */
public final class NativeKernels {
    private NativeKernels() {
    }

    /** {@code choice}, after making sure the native library loads when it is {@link KernelChoice#NATIVE}. */
    public static KernelChoice require(KernelChoice choice) {
        if (choice == KernelChoice.NATIVE) {
            requireLibrary();
        }
        return choice;
    }

    /** The library; the test is skipped where it cannot have been built, fails where it should have. */
    public static NativeLibrary requireLibrary() {
        try {
            return NativeLibrary.load();
        } catch (NativeUnavailableException e) {
            String buildable = buildableHere();
            if (buildable != null) {
                throw new AssertionError("native kernels should have been built here (" + buildable + ") but: "
                        + e.getMessage(), e);
            }
            Assumptions.abort("native kernels not built on this machine, Java path only: " + e.getMessage());
            throw e; // not reached
        }
    }

    /**
     * The native level named {@code label} (avx2, avx-vnni, avx512-vnni), the library loaded as
     * {@link #requireLibrary()} loads it; the test is skipped, saying so, where this CPU does not run that level.
     */
    public static NativeLevel requireLevel(String label) {
        NativeLevel level = NativeLevel.parse(label);
        NativeLibrary lib = requireLibrary();
        Assumptions.assumeTrue(level.compareTo(lib.cpuLevel()) <= 0,
                () -> "this CPU runs native level " + lib.cpuLevel().label() + ", not " + label);
        return level;
    }

    /** Why the build should have made the library here (gcc found, x86-64 Linux), or null. */
    private static String buildableHere() {
        if ("0".equals(System.getenv("SLUICE_NATIVE_BUILD"))
                || !System.getProperty("os.name").equals("Linux")
                || !System.getProperty("os.arch").equals("amd64")) {
            return null;
        }
        if (System.getenv("SLUICE_CI") != null || System.getenv("CI") != null) {
            return "SLUICE_CI or CI is set: CI runs both kernel paths";
        }
        String cc = System.getenv().getOrDefault("CC", "gcc");
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cc))) {
                return cc + " is " + Path.of(dir, cc);
            }
        }
        return null;
    }
}
