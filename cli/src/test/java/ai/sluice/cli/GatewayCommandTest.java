package ai.sluice.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

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
    void refusesAMissingTlsFileWithOneLineNamingTheField(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"), "backends: [http://127.0.0.1:1]\n"
                + "tls_certificate_file: " + dir.resolve("gateway.crt") + "\ntls_private_key_file: " + dir.resolve("gateway.key") + "\n");
        CliRun run = CliRun.of("gateway", "--config", yaml.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("sluice: error: gateway.yaml: tls_certificate_file: "
                + dir.resolve("gateway.crt") + ": no such file");
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

    @Test
    void sighupReloadsTheConfigFileEvenWhenTheFileWatcherSeesNoChange(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"),
                "host: 127.0.0.1\nport: 0\nbackends: [http://127.0.0.1:1]\nhold_timeout_ms: 1000\n");
        Path log = dir.resolve("gateway.log");
        Process gateway = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "gateway", "--config", yaml.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitLog(gateway, log, "sluice: gateway on http://127.0.0.1:");
            // same size and same modification time: the once-a-second file watcher cannot tell, only SIGHUP reloads
            FileTime mtime = Files.getLastModifiedTime(yaml);
            Files.writeString(yaml, "host: 127.0.0.1\nport: 0\nbackends: [http://127.0.0.1:1]\nhold_timeout_ms: nope\n");
            Files.setLastModifiedTime(yaml, mtime);
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(gateway.pid())).start().waitFor()).isZero();
            String reloaded = awaitLog(gateway, log, "hold_timeout_ms");
            assertThat(reloaded).contains("sluice: gateway config not reloaded: gateway.yaml: hold_timeout_ms:");
            assertThat(gateway.isAlive()).as("SIGHUP must not end the gateway").isTrue();

            Files.writeString(yaml, "host: 127.0.0.1\nport: 0\nbackends: [http://127.0.0.1:1]\nhold_timeout_ms: 2000\n");
            Files.setLastModifiedTime(yaml, mtime);
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(gateway.pid())).start().waitFor()).isZero();
            assertThat(awaitLog(gateway, log, "sluice: gateway config reloaded from")).contains(yaml.toString());
        } finally {
            gateway.destroyForcibly();
        }
    }

    /** Waits (up to 20 s) until the process's output contains {@code text}; returns the output. */
    private static String awaitLog(Process process, Path log, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String out = Files.readString(log);
            if (out.contains(text)) {
                return out;
            }
            if (!process.isAlive()) {
                throw new AssertionError("gateway exited with " + process.exitValue() + ":\n" + out);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no \"" + text + "\" in the gateway's output within 20 s:\n" + Files.readString(log));
    }
}
