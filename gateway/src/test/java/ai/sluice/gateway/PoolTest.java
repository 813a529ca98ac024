package ai.sluice.gateway;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A pool's spill decision: queue depth or predicted wait, with hysteresis on the way back. */
class PoolTest {

    private static Pool pool(PoolSpec.Spill spill) {
        PoolSpec spec = new PoolSpec("onprem", List.of(), List.of(URI.create("http://10.0.0.1:8000"),
                URI.create("http://10.0.0.2:8000")), null, PoolSpec.Prices.FREE, spill);
        return new Pool(spec, GatewayConfig.of("127.0.0.1", 0, List.of()), host -> List.of(), null);
    }

    private static void load(Pool p, double waitingEach, double runningEach) {
        p.fleet.all().forEach(r -> r.load(new ReplicaLoad(waitingEach, runningEach, 0)));
    }

    @Test
    void spillsAtTheSummedQueueAndComesBackOnlyBelowTheLowerMark() {
        Pool p = pool(new PoolSpec.Spill(8, 2, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY));
        load(p, 3, 1);
        assertThat(p.spilling()).as("6 waiting < 8").isFalse();
        load(p, 4, 1);
        assertThat(p.spilling()).as("8 waiting").isTrue();
        load(p, 2, 1);
        assertThat(p.spilling()).as("4 waiting: between the marks, still spilling").isTrue();
        load(p, 1, 1);
        assertThat(p.spilling()).as("2 waiting: back").isFalse();
        load(p, 3, 1);
        assertThat(p.spilling()).as("6 waiting: between the marks, not spilling").isFalse();
    }

    @Test
    void spillsOnThePredictedWaitFromTheQueueTheRunningCountAndRecentAnswers() {
        Pool p = pool(new PoolSpec.Spill(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 1000, 400));
        load(p, 3, 1);
        assertThat(p.predictedWaitMs()).as("no answer timed yet").isZero();
        assertThat(p.spilling()).isFalse();
        p.served(500_000_000L); // answers take 500 ms
        assertThat(p.predictedWaitMs()).as("6 waiting / 2 running x 500 ms").isEqualTo(1500);
        assertThat(p.spilling()).isTrue();
        load(p, 1, 1);
        assertThat(p.predictedWaitMs()).isEqualTo(500);
        assertThat(p.spilling()).as("500 ms: above the way back (400)").isTrue();
        load(p, 1, 2);
        assertThat(p.spilling()).as("2 waiting / 4 running x 500 ms = 250 ms").isFalse();
    }
}
