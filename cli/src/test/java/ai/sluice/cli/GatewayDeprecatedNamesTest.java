package ai.sluice.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's old words for a replica still work for one deprecation period, each with one warning line:
 * {@code --backend URL} (now {@code --replica}) and gateway.yaml's {@code backends:} (now {@code replicas:}).
 */
class GatewayDeprecatedNamesTest {
    private static final String FLAG_WARNING = "sluice: warning: gateway --backend is deprecated, use --replica (same URL;"
            + " --backend still works for now and will be removed)";
    private static final String REQUEST = "{\"model\":\"m\",\"prompt\":\"hi\"}";

    @Test
    void theReplicaFlagNeedsNoWarning() {
        CliRun run = CliRun.of("gateway", "--replica", "http://127.0.0.1:1", "--explain", REQUEST);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("1. default: 1 replica(s)");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void theBackendFlagStillAddsReplicasAndWarnsOnce() {
        CliRun run = CliRun.of("gateway", "--backend", "http://127.0.0.1:1", "--backend", "http://127.0.0.1:2",
                "--replica", "http://127.0.0.1:3", "--explain", REQUEST);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("1. default: 3 replica(s)");
        assertThat(run.err().lines()).containsExactly(FLAG_WARNING);
    }

    @Test
    void aBadUrlAfterTheBackendFlagNamesThatFlag() {
        CliRun bad = CliRun.of("gateway", "--port", "0", "--backend", "localhost:8000");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err().lines()).containsExactly(FLAG_WARNING,
                "sluice: error: --backend: must be an http(s)://host:port URL, got \"localhost:8000\"");
    }

    @Test
    void replicaFlagsBesideAFileWithPoolsAreRefusedNamingTheFlagTyped(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"), "pools:\n  - {name: a, replicas: [http://127.0.0.1:1]}\n");
        CliRun replica = CliRun.of("gateway", "--config", yaml.toString(), "--replica", "http://127.0.0.1:2", "--explain", REQUEST);
        assertThat(replica.exitCode()).isEqualTo(1);
        assertThat(replica.err().lines()).containsExactly(
                "sluice: error: --replica: the config file defines pools: list each pool's replicas there");
        CliRun backend = CliRun.of("gateway", "--config", yaml.toString(), "--backend", "http://127.0.0.1:2", "--explain", REQUEST);
        assertThat(backend.err().lines()).containsExactly(FLAG_WARNING,
                "sluice: error: --backend: the config file defines pools: list each pool's replicas there");
    }

    @Test
    void helpShowsOnlyTheReplicaFlag() {
        CliRun help = CliRun.of("gateway", "--help");
        assertThat(help.out()).contains("--replica=URL").doesNotContain("--backend");
    }

    @Test
    void theOldConfigKeyStillReadsTheReplicasWithOneWarningLine(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"), "backends: [http://127.0.0.1:1, http://127.0.0.1:2]\n");
        CliRun run = CliRun.of("gateway", "--config", yaml.toString(), "--explain", REQUEST);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("1. default: 2 replica(s)");
        assertThat(run.err().lines()).containsExactly("sluice: warning: gateway.yaml: backends: deprecated name, rename it"
                + " replicas: (the same list of replica URLs; backends: still works for now and will be removed)");
    }

    @Test
    void bothConfigKeysAreAOneLineError(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"),
                "replicas: [http://127.0.0.1:1]\nbackends: [http://127.0.0.1:2]\n");
        CliRun run = CliRun.of("gateway", "--config", yaml.toString(), "--port", "0");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).containsExactly("sluice: error: gateway.yaml: replicas, backends: give replicas:"
                + " only (backends: is its deprecated old name), not both");
    }

    /** The flag works where it matters, on a gateway that starts and serves (a fresh JVM, as a user runs it). */
    @Test
    void aGatewayStartedWithTheBackendFlagServesThoseReplicas(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("gateway.log");
        Process gateway = GatewayCommandTest.startGateway(log, "--default-signal=HUP",
                "--host", "127.0.0.1", "--port", "0", "--backend", "http://127.0.0.1:1");
        try {
            String out = GatewayCommandTest.awaitLog(gateway, log, "sluice: gateway on http://127.0.0.1:");
            assertThat(out).contains(" over 1 replica(s): [http://127.0.0.1:1]");
            assertThat(out.lines().filter(l -> l.contains("--backend is deprecated"))).containsExactly(FLAG_WARNING);
        } finally {
            gateway.destroyForcibly();
        }
    }
}
