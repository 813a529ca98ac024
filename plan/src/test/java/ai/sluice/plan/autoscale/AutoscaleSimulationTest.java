package ai.sluice.plan.autoscale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.sluice.plan.PlanException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoscaleSimulationTest {

    /** The behaviour in deploy/kubernetes/components/hpa. */
    static HpaController.Config hpa(double target) {
        return new HpaController.Config(target, 0.1, 1, 8,
                new ScalingRules(0, List.of(ScalingRules.Policy.percent(100, 60), ScalingRules.Policy.pods(2, 60)), true),
                new ScalingRules(300, List.of(ScalingRules.Policy.pods(1, 120)), true));
    }

    static AutoscaleReport spike(double podStart, long seed) {
        return AutoscaleSimulation.run(new ArrivalPattern.Spike(0.3, 4, 900),
                new AutoscaleSimulation.Replicas(8, 10, podStart, 2.0), hpa(4),
                new AutoscaleSimulation.Timing(15, 15), 300, seed);
    }

    @Test
    void aSpikeScalesUpAndBackDown() {
        AutoscaleReport r = spike(40, 1);
        AutoscaleReport.Row before = r.rows().get(4); // 00:20
        AutoscaleReport.Row during = r.rows().get(8); // 00:40, 10 minutes into the spike
        AutoscaleReport.Row after = r.rows().getLast(); // 01:55
        assertThat(before.replicas()).isEqualTo(1.0);
        // 4 req/s needs 4 / 0.8 = 5 replicas at least
        assertThat(during.ready()).isGreaterThanOrEqualTo(5);
        assertThat(after.replicas()).isEqualTo(1.0);
        assertThat(r.maxReplicas()).isBetween(5, 8);
        assertThat(r.rows().get(6).p99Wait()).as("the spike's first minutes wait for replicas to load")
                .isGreaterThan(before.p99Wait());
        assertThat(r.costUsd()).isCloseTo(r.replicaHours() * 2.0, within(1e-9));
        assertThat(r.render()).contains("00:30", "total", "p99");
    }

    @Test
    void sameInputsSameTable() {
        assertThat(spike(40, 7).render()).isEqualTo(spike(40, 7).render());
        assertThat(spike(40, 7).render()).isNotEqualTo(spike(40, 8).render());
    }

    @Test
    void slowerReplicaStartsMeanLongerWaitsInASpike() {
        assertThat(spike(300, 1).p99WaitSeconds()).isGreaterThan(spike(10, 1).p99WaitSeconds());
    }

    @Test
    void loadWellUnderOneReplicaNeverScales() {
        AutoscaleReport r = AutoscaleSimulation.run(new ArrivalPattern.Spike(0.1, 0.1, 60),
                new AutoscaleSimulation.Replicas(8, 10, 60, 1), hpa(4), new AutoscaleSimulation.Timing(15, 15), 3600, 1);
        assertThat(r.maxReplicas()).isEqualTo(1);
        assertThat(r.p99WaitSeconds()).isZero();
        assertThat(r.replicaHours()).isCloseTo(2.0, within(1e-9));
        assertThat(r.requests()).isBetween(600, 840); // 0.1 req/s for 2 h: 720, Poisson spread
    }

    @Test
    void theDiurnalPatternPeaksAtFourInTheAfternoon() {
        ArrivalPattern.Diurnal day = new ArrivalPattern.Diurnal(1, 9);
        assertThat(day.rateAt(16 * 3600)).isCloseTo(9, within(1e-9));
        assertThat(day.rateAt(4 * 3600)).isCloseTo(1, within(1e-9));
        assertThat(day.rateAt(10 * 3600)).isCloseTo(5, within(1e-9));
    }

    @Test
    void readsRecordedRatesAndNamesTheBadLine(@TempDir Path dir) throws IOException {
        Path good = Files.writeString(dir.resolve("day.txt"), "# seconds rate\n0 1.5\n600, 3\n1200 0\n");
        ArrivalPattern.Recorded recorded = ArrivalPattern.Recorded.read(good);
        assertThat(recorded.rateAt(0)).isEqualTo(1.5);
        assertThat(recorded.rateAt(900)).isEqualTo(3);
        assertThat(recorded.durationSeconds()).isEqualTo(1200);

        Path bad = Files.writeString(dir.resolve("bad.txt"), "0 1\n600 fast\n");
        assertThatThrownBy(() -> ArrivalPattern.Recorded.read(bad)).isInstanceOf(PlanException.class)
                .hasMessageContaining("bad.txt:2").hasMessageContaining("600 fast");
        Path backwards = Files.writeString(dir.resolve("back.txt"), "600 1\n0 1\n");
        assertThatThrownBy(() -> ArrivalPattern.Recorded.read(backwards)).hasMessageContaining("ascending");
    }

    @Test
    void poissonArrivalsHaveTheRequestedMean() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (double mean : new double[] {0.5, 7, 120}) {
            long sum = 0;
            for (int i = 0; i < 20_000; i++) {
                sum += AutoscaleSimulation.poisson(random, mean);
            }
            assertThat(sum / 20_000.0).isCloseTo(mean, within(mean * 0.03 + 0.02));
        }
    }

    @Test
    void warnsWhenMaxReplicasCannotServeThePeak() {
        AutoscaleReport r = AutoscaleSimulation.run(new ArrivalPattern.Spike(0.3, 8, 600),
                new AutoscaleSimulation.Replicas(8, 10, 30, 1), hpa(4), new AutoscaleSimulation.Timing(15, 15), 600, 1);
        // 8 req/s over 0.8 req/s per replica: 10 replicas, max is 8
        assertThat(r.replicasForPeak()).isEqualTo(10);
        assertThat(r.render()).contains("warning", "needs 10 replicas", "--max-replicas 8");
        assertThat(spike(40, 1).render()).doesNotContain("warning");
    }

    @Test
    void scaleToZeroSleepsUntilTheFirstHeldRequestAndWakesAfterAPodStart() {
        // nothing for 30 minutes, then 2 req/s for 15 minutes, then nothing again
        AutoscaleReport r = AutoscaleSimulation.run(new ArrivalPattern.Spike(0, 2, 900),
                new AutoscaleSimulation.Replicas(8, 10, 120, 3.0), hpa(4), new AutoscaleSimulation.Timing(15, 15),
                new AutoscaleSimulation.ScaleToZero(10, 600), 300, 1);
        assertThat(r.rows().getFirst().replicas()).as("asleep before the spike").isZero();
        assertThat(r.rows().get(7).ready()).as("00:35, serving").isGreaterThanOrEqualTo(3);
        assertThat(r.rows().getLast().replicas()).as("asleep again after the 600 s cooldown").isZero();
        // the first requests wait for a whole pod start (120 s) before anything serves them
        assertThat(r.rows().get(6).p99Wait()).isGreaterThanOrEqualTo(100);
        assertThat(r.render()).contains("scale to zero (KEDA)");
        // cheaper than keeping one replica for the two hours, which the plain HPA does
        AutoscaleReport alwaysOne = AutoscaleSimulation.run(new ArrivalPattern.Spike(0, 2, 900),
                new AutoscaleSimulation.Replicas(8, 10, 120, 3.0), hpa(4), new AutoscaleSimulation.Timing(15, 15), 300, 1);
        assertThat(r.costUsd()).isLessThan(alwaysOne.costUsd());
        assertThat(r.p99WaitSeconds()).isGreaterThan(alwaysOne.p99WaitSeconds());
    }
}
