package ai.sluice.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where the CUDA build tools are on this machine (they need no GPU). */
final class Toolchain {
    private Toolchain() {
    }

    /** {@code tool} on the PATH or in /usr/local/cuda/bin. */
    static Optional<Path> find(String tool) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/local/cuda/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return Optional.of(Path.of(dir, tool));
            }
        }
        return Optional.empty();
    }

    /** Why this build must have made the fatbin (nvcc present, or CI), or null where it may lack it. */
    static String fatbinRequiredBecause() {
        if ("0".equals(System.getenv("SLUICE_CUDA_BUILD"))) {
            return null;
        }
        if (System.getenv("SLUICE_CI") != null || System.getenv("CI") != null) {
            return "SLUICE_CI or CI is set: CI builds the kernels";
        }
        return find(System.getenv().getOrDefault("NVCC", "nvcc")).map(p -> "nvcc is " + p).orElse(null);
    }
}
