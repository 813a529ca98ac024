package ai.sluice.gateway;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {
    private final GatewayConfig config = GatewayConfig.of("127.0.0.1", 0, List.of());

    private List<Replica> replicas(int n) {
        List<Replica> rs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Replica r = new Replica(URI.create("http://10.0.0." + i + ":8000"), config);
            r.onHealth(true);
            rs.add(r);
        }
        return rs;
    }

    @Test
    void withoutAKeyPicksTheLeastLoaded() {
        List<Replica> rs = replicas(3);
        rs.get(0).begin();
        rs.get(1).load(new ReplicaLoad(3, 1, 0));
        Router router = new Router(1.25);
        router.replicas(rs);
        assertThat(router.pick(rs, Set.of(), null, System.nanoTime())).isSameAs(rs.get(2));
        assertThat(router.pick(rs, Set.of(rs.get(2)), null, System.nanoTime())).isSameAs(rs.get(0));
    }

    @Test
    void anIdleFleetSharesRequestsInsteadOfSendingAllToTheFirst() {
        List<Replica> rs = replicas(3);
        Router router = new Router(1.25);
        router.replicas(rs);
        Map<Replica, Integer> share = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            share.merge(router.pick(rs, Set.of(), null, System.nanoTime()), 1, Integer::sum);
        }
        assertThat(share).hasSize(3);
        assertThat(share.values()).allSatisfy(n -> assertThat(n).isBetween(50, 150));
    }

    @Test
    void aKeyAlwaysLandsOnTheSameReplicaAndKeysSpreadOverAll() {
        List<Replica> rs = replicas(3);
        Router router = new Router(1.25);
        router.replicas(rs);
        Map<Replica, Integer> share = new HashMap<>();
        for (int k = 0; k < 300; k++) {
            Replica first = router.pick(rs, Set.of(), "prefix-" + k, System.nanoTime());
            assertThat(router.pick(rs, Set.of(), "prefix-" + k, System.nanoTime())).isSameAs(first);
            share.merge(first, 1, Integer::sum);
        }
        assertThat(share).hasSize(3);
        assertThat(share.values()).allSatisfy(n -> assertThat(n).isBetween(50, 150));
    }

    @Test
    void boundedLoadMovesAHotKeyOffABusyReplica() {
        List<Replica> rs = replicas(3);
        Router router = new Router(1.25);
        router.replicas(rs);
        Replica home = router.pick(rs, Set.of(), "hot", System.nanoTime());
        for (int i = 0; i < 4; i++) {
            home.begin();
        }
        Replica next = router.pick(rs, Set.of(), "hot", System.nanoTime());
        assertThat(next).isNotSameAs(home);
    }

    @Test
    void skipsEjectedAndUnhealthyReplicas() {
        List<Replica> rs = replicas(2);
        Router router = new Router(1.25);
        router.replicas(rs);
        rs.get(0).onFailure(1, new RuntimeException("refused"), true);
        rs.get(1).onHealth(false);
        assertThat(router.pick(rs, Set.of(), "k", System.nanoTime())).isNull();
        assertThat(rs.get(0).state(System.nanoTime())).isEqualTo(Replica.State.EJECTED);
        assertThat(rs.get(1).state(System.nanoTime())).isEqualTo(Replica.State.UNHEALTHY);
    }

    @Test
    void ejectionBackoffDoublesUpToTheMaximum() throws Exception {
        GatewayConfig fast = new GatewayConfig("h", 0, List.of(), config.healthInterval(), config.healthTimeout(),
                config.scrapeInterval(), config.firstByteTimeout(), config.streamStallTimeout(), config.holdTimeout(),
                2, java.time.Duration.ofMillis(200), java.time.Duration.ofMillis(500), 3, 0.2, 5, 256, 1.25, true,
                config.resolveInterval(), Auth.NONE);
        Replica r = new Replica(URI.create("http://a:1"), fast);
        r.onHealth(true);
        assertThat(r.onFailure(1, new RuntimeException("500"), false)).isFalse(); // one 5xx is not yet an ejection
        assertThat(r.onFailure(1, new RuntimeException("500"), false)).isTrue();
        assertThat(r.ejectionLeftNanos(System.nanoTime()) / 1_000_000).isBetween(100L, 200L);
        assertThat(r.routable(System.nanoTime())).isFalse();
        Thread.sleep(220);
        assertThat(r.routable(System.nanoTime())).isTrue(); // back after its 200 ms
        assertThat(r.onFailure(1, new RuntimeException("refused"), true)).isTrue(); // refused: out at once
        assertThat(r.ejectionLeftNanos(System.nanoTime()) / 1_000_000).isBetween(300L, 400L); // doubled
        Thread.sleep(420);
        assertThat(r.onFailure(1, new RuntimeException("refused"), true)).isTrue();
        assertThat(r.ejectionLeftNanos(System.nanoTime()) / 1_000_000).isBetween(400L, 500L); // 800 capped at 500
        r.onSuccess(1);
        Thread.sleep(520);
        assertThat(r.onFailure(1, new RuntimeException("refused"), true)).isTrue();
        assertThat(r.ejectionLeftNanos(System.nanoTime()) / 1_000_000).isBetween(100L, 200L); // a success resets it
        assertThat(r.ejections()).isEqualTo(4);
    }

    @Test
    void readsLoadFromPrometheusText() {
        ReplicaLoad l = ReplicaLoad.parsePrometheus("""
                # HELP vllm:num_requests_waiting Requests waiting.
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{model_name="m"} 3.0
                vllm:num_requests_running{model_name="m"} 2.0 1700000000000
                vllm:kv_cache_usage_perc{model_name="m"} 0.5
                vllm:num_requests_running_other 99
                """);
        assertThat(l).isEqualTo(new ReplicaLoad(3, 2, 0.5));
    }
}
