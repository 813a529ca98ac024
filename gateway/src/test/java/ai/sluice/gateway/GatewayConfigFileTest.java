package ai.sluice.gateway;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigFileTest {

    @Test
    void readsEveryFieldItIsGiven() {
        GatewayConfig c = GatewayConfigFile.parse("gateway.yaml", """
                host: 0.0.0.0
                port: 9100
                replicas: [http://10.0.0.1:8000, "http://replica-2:8000/"]
                health_interval_ms: 250
                hold_timeout_ms: 3000
                max_attempts: 4
                affinity_load_factor: 1.5
                resume: false
                resolve_interval_ms: 2000
                """);
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(9100);
        assertThat(c.replicas()).containsExactly(URI.create("http://10.0.0.1:8000"), URI.create("http://replica-2:8000"));
        assertThat(c.healthInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.holdTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.maxAttempts()).isEqualTo(4);
        assertThat(c.affinityLoadFactor()).isEqualTo(1.5);
        assertThat(c.resume()).isFalse();
        assertThat(c.resolveInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.healthTimeout()).isEqualTo(GatewayConfig.of("h", 1, java.util.List.of()).healthTimeout());
    }

    @Test
    void errorsNameTheFieldAndWhatIsWrong() {
        assertBad("replicas: [http://a:1]\nhealth_timout_ms: 5\n", "gateway.yaml: health_timout_ms: unknown field");
        assertBad("replicas: [http://a:1, ftp://b:2]\n", "replicas[1]: must be an http(s)://host:port URL, got \"ftp://b:2\"");
        assertBad("replicas: [http://a:1/v1]\n", "replicas[0]: must be a base URL without a path");
        assertBad("replicas: []\n", "replicas: must list at least one replica URL");
        assertBad("port: 9000\n", "replicas: must list at least one replica URL, got nothing");
        assertBad("replicas: [http://a:1]\nhealth_interval_ms: fast\n",
                "health_interval_ms: must be a whole number of milliseconds > 0, got \"fast\"");
        assertBad("replicas: [http://a:1]\nport: 70000\n", "port: must be a whole number in [0, 65535], got 70000");
        assertBad("replicas: [http://a:1]\nresume: maybe\n", "resume: must be true or false");
        assertBad("replicas: [http://a:1]\neject_base_ms: 5000\neject_max_ms: 1000\n", "eject_max_ms: must be at least eject_base_ms");
        assertBad("replicas: [http://a:1\n", "gateway.yaml: not valid YAML");
        assertBad("- just\n- a list\n", "must be a mapping of settings");
        assertBad("replicas: [http://a:1]\napi_key_sha256: [sk-plain-key]\n",
                "api_key_sha256[0]: must be 64 hex digits (the SHA-256 of the key: printf %s KEY | sha256sum), got 12 characters");
        assertBad("replicas: [http://a:1]\nreplica_api_key_env: SLUICE_SURELY_UNSET_VARIABLE\n",
                "replica_api_key_env: the environment variable SLUICE_SURELY_UNSET_VARIABLE is not set");
        assertBad("replicas: [http://a:1]\nreplica_api_key_file: /nonexistent/key\n",
                "replica_api_key_file: cannot read /nonexistent/key");
    }

    @Test
    void rangesIncludeTheirEnds() {
        String b = "replicas: [http://a:1]\n";
        assertThat(GatewayConfigFile.parse("g", b + "port: 0\n").port()).isZero();
        assertThat(GatewayConfigFile.parse("g", b + "port: 65535\n").port()).isEqualTo(65535);
        assertThat(GatewayConfigFile.parse("g", b + "max_attempts: 10\n").maxAttempts()).isEqualTo(10);
        assertThat(GatewayConfigFile.parse("g", b + "max_attempts: 1\n").maxAttempts()).isEqualTo(1);
        assertThat(GatewayConfigFile.parse("g", b + "retry_budget_ratio: 1\n").retryBudgetRatio()).isEqualTo(1.0);
        assertThat(GatewayConfigFile.parse("g", b + "retry_budget_ratio: 0\n").retryBudgetRatio()).isZero();
        assertThat(GatewayConfigFile.parse("g", b + "affinity_load_factor: 1\n").affinityLoadFactor()).isEqualTo(1.0);
        assertThat(GatewayConfigFile.parse("g", b + "health_timeout_ms: 1\n").healthTimeout()).isEqualTo(Duration.ofMillis(1));
        assertThat(GatewayConfigFile.parse("g", b + "resume: true\n").resume()).isTrue();
        assertThat(GatewayConfigFile.parse("g", b + "eject_base_ms: 500\neject_max_ms: 500\n").ejectMax())
                .isEqualTo(Duration.ofMillis(500));
        assertBad(b + "max_attempts: 0\n", "max_attempts: must be a whole number in [1, 10], got 0");
        assertBad(b + "max_attempts: 11\n", "max_attempts: must be a whole number in [1, 10], got 11");
        assertBad(b + "retry_budget_ratio: 1.5\n", "retry_budget_ratio: must be a number in [0.0, 1.0], got 1.5");
        assertBad(b + "retry_budget_ratio: -0.1\n", "retry_budget_ratio: must be a number in [0.0, 1.0]");
        assertBad(b + "affinity_load_factor: 0.5\n", "affinity_load_factor: must be a number in [1.0, 100.0]");
        assertBad(b + "health_timeout_ms: 0\n", "health_timeout_ms: must be a whole number of milliseconds > 0, got 0");
        assertBad(b + "host: \"\"\n", "host: must be a non-empty string");
    }

    @Test
    void readsTheReplicaKeyFromAFileAndTheClientKeysAsDigests(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("k"), "  sk-replica\n");
        GatewayConfig c = GatewayConfigFile.parse("g", "replicas: [http://a:1]\nreplica_api_key_file: " + key
                + "\napi_key_sha256: [" + Auth.digestHex("sk-client") + "]\n");
        assertThat(c.auth().replicaKey().value()).isEqualTo("sk-replica");
        assertThat(c.auth().accepts("Bearer sk-client")).isTrue();
        assertThat(GatewayConfigFile.parse("g", "replicas: [http://a:1]\n").auth().replicaKey()).isNull();
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("e"), "\n");
        assertBad("replicas: [http://a:1]\nreplica_api_key_file: " + empty + "\n", "replica_api_key_file: " + empty + " is empty");
        assertBad("replicas: [http://a:1]\nreplica_api_key_file: x\nreplica_api_key_env: Y\n", "give one of them");
        assertBad("replicas: [http://a:1]\napi_key_sha256: abc\n", "api_key_sha256: must be a list");
    }

    @Test
    void aMissingFileIsOneLine() {
        assertThatThrownBy(() -> GatewayConfigFile.load(java.nio.file.Path.of("/nonexistent/gateway.yaml")))
                .isInstanceOf(GatewayException.class).hasMessage("/nonexistent/gateway.yaml: no such file");
    }

    private static void assertBad(String yaml, String message) {
        assertThatThrownBy(() -> GatewayConfigFile.parse("gateway.yaml", yaml))
                .isInstanceOf(GatewayException.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
