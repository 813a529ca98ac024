package ai.sluice.deploy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An external program a test needs. In CI (.ci/run sets SLUICE_CI; most CI systems set CI) a missing one is a
 * failure, since .ci/run installs it; on a developer's machine the test skips and says what to install.
 */
final class RequiredTool {

    private RequiredTool() {
    }

    static Path find(String name, String howToInstall) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        if (System.getenv("SLUICE_CI") != null || System.getenv("CI") != null) {
            fail(name + " is not installed, and this is CI (SLUICE_CI or CI is set): .ci/run should have installed it");
        }
        return abort(name + " is not installed: " + howToInstall);
    }
}
