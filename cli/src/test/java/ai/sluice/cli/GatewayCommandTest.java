package ai.sluice.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sluice gateway}'s start-up checks: each problem is one line naming the flag or field. */
class GatewayCommandTest {

    @Test
    void refusesABadConfigFileWithOneLineNamingTheField(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"), "backends: [http://127.0.0.1:1]\nhold_timeout_ms: -5\n");
        CliRun run = CliRun.of("gateway", "--config", yaml.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo(
                "sluice: error: gateway.yaml: hold_timeout_ms: must be a whole number of milliseconds > 0, got -5");
    }

    @Test
    void refusesAMissingConfigAndMissingOrBadBackends(@TempDir Path dir) {
        CliRun missing = CliRun.of("gateway", "--config", dir.resolve("none.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("none.yaml: no such file").doesNotContain("Exception");

        CliRun none = CliRun.of("gateway", "--port", "0");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains("give the replicas: --backend URL");

        CliRun bad = CliRun.of("gateway", "--port", "0", "--backend", "localhost:8000");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err().lines().count()).isEqualTo(1);
        assertThat(bad.err()).contains("--backend: must be an http(s)://host:port URL, got \"localhost:8000\"");
    }
}
