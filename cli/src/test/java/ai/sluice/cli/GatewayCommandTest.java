package ai.sluice.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sluice gateway}'s start-up checks: each problem is one line naming the flag or field. */
class GatewayCommandTest {

    @Test
    void refusesABadConfigFileWithOneLineNamingTheField(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"), "replicas: [http://127.0.0.1:1]\nhold_timeout_ms: -5\n");
        CliRun run = CliRun.of("gateway", "--config", yaml.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo(
                "sluice: error: gateway.yaml: hold_timeout_ms: must be a whole number of milliseconds > 0, got -5");
    }

    @Test
    void refusesAMissingTlsFileWithOneLineNamingTheField(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"), "replicas: [http://127.0.0.1:1]\n"
                + "tls_certificate_file: " + dir.resolve("gateway.crt") + "\ntls_private_key_file: " + dir.resolve("gateway.key") + "\n");
        CliRun run = CliRun.of("gateway", "--config", yaml.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("sluice: error: gateway.yaml: tls_certificate_file: "
                + dir.resolve("gateway.crt") + ": no such file");
    }

    @Test
    void refusesAMissingConfigAndMissingOrBadReplicas(@TempDir Path dir) {
        CliRun missing = CliRun.of("gateway", "--config", dir.resolve("none.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("none.yaml: no such file").doesNotContain("Exception");

        CliRun none = CliRun.of("gateway", "--port", "0");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains("give the replicas: --replica URL");

        CliRun bad = CliRun.of("gateway", "--port", "0", "--replica", "localhost:8000");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err().lines().count()).isEqualTo(1);
        assertThat(bad.err()).contains("--replica: must be an http(s)://host:port URL, got \"localhost:8000\"");
    }

    @Test
    void explainPrintsTheRouteOfARequestUnderThePools(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("ext.key"), "sk-provider-secret\n");
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"), """
                pools:
                  - {name: onprem, labels: [onprem], replicas: [http://127.0.0.1:1], spill_at_waiting: 8,
                     price: {replica_hour: 2.0, output_tokens_per_second: 500}}
                  - {name: cloud, labels: [cloud], replicas: [http://127.0.0.1:2], price: {input_per_1m: 0.5, output_per_1m: 1.5}}
                  - name: claude
                    labels: [external]
                    external: {api: anthropic, base_url: 'https://api.anthropic.com', api_key_file: %s,
                               models: {llama: claude-x}}
                data_classes:
                  restricted: [onprem]
                  public: [onprem, cloud, claude]
                default_data_class: public
                api_keys:
                  - {name: team-a, sha256: %s, data_class: restricted, requests_per_second: 5}
                """.formatted(key, "ab".repeat(32)));
        CliRun chat = CliRun.of("gateway", "--config", yaml.toString(), "--explain",
                "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(chat.exitCode()).as(chat.err()).isZero();
        assertThat(chat.out()).contains("data class: public (from the default)")
                .contains("1. onprem [onprem]: 1 replica(s), $0 in / $1.111 out per 1M tokens, spills to the next pool at 8 waiting, back at 4")
                .contains("3. claude [external]: anthropic provider https://api.anthropic.com, model sent as claude-x")
                .contains("route: onprem; when it spills or cannot serve: cloud, then claude")
                .doesNotContain("sk-provider-secret");
        CliRun restricted = CliRun.of("gateway", "--config", yaml.toString(), "--key", "team-a", "--explain",
                "{\"model\":\"llama\",\"prompt\":\"hi\"}");
        assertThat(restricted.out()).contains("data class: restricted (from the key)")
                .contains("never, whatever fails: cloud, claude (not allowed for this class)")
                .contains("route: onprem; when none can: 503");
        CliRun completion = CliRun.of("gateway", "--config", yaml.toString(), "--data-class", "public", "--explain",
                "{\"model\":\"llama\",\"prompt\":\"hi\"}");
        assertThat(completion.out()).contains("claude [external]").contains("skipped: it speaks Anthropic's Messages API,"
                + " which has no /v1/completions").contains("route: onprem; when it spills or cannot serve: cloud;");
        CliRun bad = CliRun.of("gateway", "--config", yaml.toString(), "--explain", "{nope");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).startsWith("sluice: error: --explain: not JSON");
    }

    @Test
    void sighupReloadsTheConfigFileEvenWhenTheFileWatcherSeesNoChange(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"),
                "host: 127.0.0.1\nport: 0\nreplicas: [http://127.0.0.1:1]\nhold_timeout_ms: 1000\n");
        Path log = dir.resolve("gateway.log");
        // SIGHUP back to its default for the gateway: a suite run under nohup would hand it down ignored
        Process gateway = startGateway(log, "--default-signal=HUP", "--config", yaml.toString());
        try {
            String started = awaitLog(gateway, log, "sluice: gateway on http://127.0.0.1:");
            assertThat(started).doesNotContain("SIGHUP is ignored");
            // same size and same modification time: the once-a-second file watcher cannot tell, only SIGHUP reloads
            FileTime mtime = Files.getLastModifiedTime(yaml);
            Files.writeString(yaml, "host: 127.0.0.1\nport: 0\nreplicas: [http://127.0.0.1:1]\nhold_timeout_ms: nope\n");
            Files.setLastModifiedTime(yaml, mtime);
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(gateway.pid())).start().waitFor()).isZero();
            String reloaded = awaitLog(gateway, log, "hold_timeout_ms");
            assertThat(reloaded).contains("sluice: gateway config not reloaded: gateway.yaml: hold_timeout_ms:");
            assertThat(gateway.isAlive()).as("SIGHUP must not end the gateway").isTrue();

            Files.writeString(yaml, "host: 127.0.0.1\nport: 0\nreplicas: [http://127.0.0.1:1]\nhold_timeout_ms: 2000\n");
            Files.setLastModifiedTime(yaml, mtime);
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(gateway.pid())).start().waitFor()).isZero();
            assertThat(awaitLog(gateway, log, "sluice: gateway config reloaded from")).contains(yaml.toString());
        } finally {
            gateway.destroyForcibly();
        }
    }

    /** Started with SIGHUP ignored (as under nohup), the gateway says that only the file watcher reloads. */
    @Test
    void aGatewayStartedWithSighupIgnoredSaysSo(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("gateway.yaml"), "host: 127.0.0.1\nport: 0\nreplicas: [http://127.0.0.1:1]\n");
        Path log = dir.resolve("gateway.log");
        Process gateway = startGateway(log, "--ignore-signal=HUP", "--config", yaml.toString());
        try {
            assertThat(awaitLog(gateway, log, "sluice: gateway on http://127.0.0.1:")).contains(
                    "sluice: warning: SIGHUP is ignored in this process (started under nohup?); edits to the config"
                            + " file still apply within a second");
        } finally {
            gateway.destroyForcibly();
        }
    }

    /**
     * {@code gateway ARGS} in a fresh JVM, its output in {@code log}, its SIGHUP disposition set by coreutils' env
     * ({@code envSignal}).
     */
    static Process startGateway(Path log, String envSignal, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", envSignal,
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "gateway"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits (up to 20 s) until the process's output contains {@code text}; returns the output. */
    static String awaitLog(Process process, Path log, String text) throws Exception {
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
