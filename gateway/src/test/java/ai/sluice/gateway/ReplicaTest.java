package ai.sluice.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One replica's state machine: health, ejection, breaker, load score. */
class ReplicaTest {
    private static GatewayConfig config(int ejectAfter) {
        GatewayConfig d = GatewayConfig.of("h", 0, List.of());
        return new GatewayConfig("h", 0, List.of(), d.healthInterval(), d.healthTimeout(), d.scrapeInterval(),
                d.firstByteTimeout(), d.streamStallTimeout(), d.holdTimeout(), ejectAfter, Duration.ofMinutes(1),
                Duration.ofMinutes(2), 3, 0.5, 10, 256, 1.25, true, d.resolveInterval(), Auth.NONE);
    }

    @Test
    void startsUnhealthyAndAFailedCheckEjectsOnlyOnTheWayDown() {
        Replica r = new Replica(URI.create("http://10.0.0.1:8000"), config(3));
        assertThat(r.name()).isEqualTo("10.0.0.1:8000").isEqualTo(r.toString());
        assertThat(r.base()).isEqualTo(URI.create("http://10.0.0.1:8000"));
        assertThat(r.state(System.nanoTime())).isEqualTo(Replica.State.UNHEALTHY);
        assertThat(r.routable(System.nanoTime())).isFalse();
        assertThat(r.onHealth(true)).isFalse();
        assertThat(r.healthy()).isTrue();
        assertThat(r.state(System.nanoTime())).isEqualTo(Replica.State.UP);
        assertThat(r.onHealth(false)).isTrue(); // up -> down: ejected
        assertThat(r.healthy()).isFalse();
        assertThat(r.onHealth(false)).isFalse(); // still down: nothing new
        assertThat(r.ejections()).isEqualTo(1);
        assertThat(r.onHealth(true)).isFalse();
        assertThat(r.state(System.nanoTime())).isEqualTo(Replica.State.EJECTED); // healthy, but its backoff runs
    }

    @Test
    void failuresInARowEjectAndASuccessBreaksTheRow() {
        Replica r = new Replica(URI.create("http://a:1"), config(3));
        r.onHealth(true);
        assertThat(r.onFailure(1, new RuntimeException("500"), false)).isFalse();
        assertThat(r.onFailure(1, new RuntimeException("500"), false)).isFalse();
        r.onSuccess(1);
        assertThat(r.onFailure(1, new RuntimeException("500"), false)).isFalse();
        assertThat(r.onFailure(1, new RuntimeException("500"), false)).isFalse();
        assertThat(r.onFailure(1, new RuntimeException("500"), false)).isTrue();
        assertThat(r.onFailure(1, new RuntimeException("500"), true)).isFalse(); // already out
    }

    @Test
    void theBreakerOpensOnAFailureRateAndThenRefusesCalls() {
        Replica r = new Replica(URI.create("http://a:1"), config(1000)); // never ejected: the breaker alone decides
        r.onHealth(true);
        for (int i = 0; i < 10; i++) {
            assertThat(r.tryAcquire()).isTrue();
            r.onFailure(1, new RuntimeException("500"), false);
        }
        assertThat(r.state(System.nanoTime())).isEqualTo(Replica.State.BREAKER_OPEN);
        assertThat(r.routable(System.nanoTime())).isFalse();
        assertThat(r.tryAcquire()).isFalse();
    }

    @Test
    void scoresInFlightQueueAndKvPressureAndKeepsModelCards() throws Exception {
        Replica r = new Replica(URI.create("http://a:1"), config(3));
        r.begin();
        r.begin();
        r.load(new ReplicaLoad(1, 5, 0.5));
        assertThat(r.score()).isEqualTo(4.0); // 2 in flight + 1 waiting + 2 x 0.5
        assertThat(r.load()).isEqualTo(new ReplicaLoad(1, 5, 0.5));
        r.end();
        assertThat(r.inFlight()).isEqualTo(1);
        var card = new ObjectMapper().readTree("{\"id\":\"stories\",\"object\":\"model\"}");
        r.models(List.of(card));
        assertThat(r.models()).containsExactly("stories");
        assertThat(r.modelCards()).containsExactly(card);
    }
}
