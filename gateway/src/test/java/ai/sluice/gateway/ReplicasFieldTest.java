package ai.sluice.gateway;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** gateway.yaml's {@code replicas:} and its deprecated old name {@code backends:}: same list, one warning, never both. */
class ReplicasFieldTest {
    private static final String DIGEST = "ab".repeat(32);

    private final List<String> warnings = new ArrayList<>();

    private GatewayConfig parse(String yaml) {
        return GatewayConfigFile.parse("gateway.yaml", yaml, warnings::add);
    }

    @Test
    void theNewKeyReadsTheReplicasWithoutAWarning() {
        GatewayConfig c = parse("replicas: [http://10.0.0.1:8000, http://10.0.0.2:8000]\n");
        assertThat(c.replicas()).containsExactly(URI.create("http://10.0.0.1:8000"), URI.create("http://10.0.0.2:8000"));
        assertThat(warnings).isEmpty();
    }

    @Test
    void theOldKeyStillReadsTheSameListWithOneWarningLine() {
        GatewayConfig old = parse("backends: [http://10.0.0.1:8000, http://10.0.0.2:8000]\n");
        assertThat(old.replicas()).isEqualTo(parse("replicas: [http://10.0.0.1:8000, http://10.0.0.2:8000]\n").replicas());
        assertThat(warnings).singleElement().asString()
                .isEqualTo("gateway.yaml: backends: deprecated name, rename it replicas: (the same list of replica URLs;"
                        + " backends: still works for now and will be removed)")
                .doesNotContain("\n");
    }

    @Test
    void oldKeysInSeveralPoolsAreNamedInOneLine() {
        GatewayConfig c = parse("""
                pools:
                  - {name: a, backends: [http://127.0.0.1:1]}
                  - {name: b, replicas: [http://127.0.0.1:2]}
                  - {name: c, backends: [http://127.0.0.1:3]}
                """);
        assertThat(c.effectivePolicy().pools()).extracting(PoolSpec::replicas).containsExactly(
                List.of(URI.create("http://127.0.0.1:1")), List.of(URI.create("http://127.0.0.1:2")),
                List.of(URI.create("http://127.0.0.1:3")));
        assertThat(warnings).singleElement().asString()
                .startsWith("gateway.yaml: pools[0].backends, pools[2].backends: deprecated name, rename it replicas:");
    }

    @Test
    void namedKeysOverTheOldTopLevelKeyWarnOnceAndUseItsReplicas() {
        GatewayConfig c = parse("backends: [http://127.0.0.1:1]\napi_keys:\n  - {name: k, sha256: " + DIGEST + "}\n");
        assertThat(c.effectivePolicy().allReplicas()).containsExactly(URI.create("http://127.0.0.1:1"));
        assertThat(warnings).singleElement().asString().startsWith("gateway.yaml: backends: deprecated name");
    }

    @Test
    void bothKeysInOneMappingAreAOneLineError() {
        assertThatThrownBy(() -> parse("replicas: [http://127.0.0.1:1]\nbackends: [http://127.0.0.1:2]\n"))
                .isInstanceOf(GatewayException.class)
                .hasMessage("gateway.yaml: replicas, backends: give replicas: only (backends: is its deprecated old name),"
                        + " not both");
        assertThatThrownBy(() -> parse("pools:\n  - {name: a, replicas: [http://127.0.0.1:1], backends: [http://127.0.0.1:2]}\n"))
                .isInstanceOf(GatewayException.class)
                .hasMessage("gateway.yaml: pools[0].replicas, backends: give replicas: only (backends: is its deprecated"
                        + " old name), not both");
        assertThat(warnings).as("a refused file warns about nothing").isEmpty();
    }

    @Test
    void errorsInTheOldListNameTheKeyAsWritten() {
        assertThatThrownBy(() -> parse("backends: [http://a:1, ftp://b:2]\n"))
                .hasMessage("gateway.yaml: backends[1]: must be an http(s)://host:port URL, got \"ftp://b:2\"");
        assertThatThrownBy(() -> parse("pools:\n  - {name: a, backends: []}\n"))
                .hasMessage("gateway.yaml: pools[0].backends: must list at least one replica URL, got []");
        assertThatThrownBy(() -> parse("pools:\n  - {name: a, backends: [http://127.0.0.1:1]}\nbackends: [http://127.0.0.1:2]\n"))
                .hasMessageStartingWith("gateway.yaml: backends: give backends: (one pool) or pools:");
    }

    @Test
    void unknownFieldErrorsListOnlyTheNewName() {
        assertThatThrownBy(() -> parse("replicas: [http://a:1]\nreplica: [http://a:2]\n"))
                .hasMessageContaining("replica: unknown field (known: ")
                .hasMessageContaining(" replicas,")
                .hasMessageNotContaining("backends");
        assertThatThrownBy(() -> parse("pools:\n  - {name: a, replicas: [http://127.0.0.1:1], colour: red}\n"))
                .hasMessageContaining("pools[0].colour: unknown field")
                .hasMessageContaining("replicas")
                .hasMessageNotContaining("backends");
    }
}
