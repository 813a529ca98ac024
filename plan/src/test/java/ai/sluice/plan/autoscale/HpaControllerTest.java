package ai.sluice.plan.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HpaControllerTest {

    /** Policies loose enough that only the replica calculator decides. */
    static final ScalingRules FREE_UP = new ScalingRules(0, List.of(ScalingRules.Policy.pods(100, 15)), true);
    static final ScalingRules FREE_DOWN = new ScalingRules(0, List.of(ScalingRules.Policy.pods(100, 15)), true);

    static HpaController controller(double target, ScalingRules up, ScalingRules down) {
        return new HpaController(new HpaController.Config(target, 0.1, 1, 20, up, down));
    }

    @Test
    void desiredIsCeilOfCurrentTimesMetricOverTarget() {
        // 2 replicas averaging 9 waiting against a target of 4: ceil(2 x 9 / 4) = ceil(4.5) = 5
        assertThat(controller(4, FREE_UP, FREE_DOWN).decide(15, 2, 2, 18)).isEqualTo(5);
        // 6 replicas averaging 1 waiting: ceil(6 x 1 / 4) = 2
        assertThat(controller(4, FREE_UP, FREE_DOWN).decide(15, 6, 6, 6)).isEqualTo(2);
    }

    @Test
    void withinTheToleranceNothingChanges() {
        // 4.3 / 4 = 1.075: inside 10%
        assertThat(controller(4, FREE_UP, FREE_DOWN).decide(15, 2, 2, 8.6)).isEqualTo(2);
        // 4.5 / 4 = 1.125: outside; ceil(2 x 1.125) = 3
        assertThat(controller(4, FREE_UP, FREE_DOWN).decide(15, 2, 2, 9)).isEqualTo(3);
    }

    @Test
    void startingReplicasCountAsZeroOnAScaleUp() {
        // 2 ready at 6 each, 2 still loading: (12 + 0) / 4 pods / 4 = 0.75 < 1, the direction flips: keep 4
        assertThat(controller(4, FREE_UP, FREE_DOWN).decide(15, 4, 2, 12)).isEqualTo(4);
        // 2 ready at 20 each: (40 + 0) / 4 / 4 = 2.5 -> ceil(2.5 x 4) = 10
        assertThat(controller(4, FREE_UP, FREE_DOWN).decide(15, 4, 2, 40)).isEqualTo(10);
    }

    @Test
    void noReadyReplicaMeansNoDecision() {
        assertThat(controller(4, FREE_UP, FREE_DOWN).decide(15, 3, 0, 0)).isEqualTo(3);
    }

    @Test
    void scaleDownWaitsOutTheStabilizationWindow() {
        ScalingRules down = new ScalingRules(300, List.of(ScalingRules.Policy.pods(100, 15)), true);
        HpaController hpa = controller(4, FREE_UP, down);
        assertThat(hpa.decide(0, 6, 6, 24)).isEqualTo(6); // at target: recommendation 6
        assertThat(hpa.decide(15, 6, 6, 0)).as("the 6 of 15 s ago still counts").isEqualTo(6);
        assertThat(hpa.decide(299, 6, 6, 0)).isEqualTo(6);
        assertThat(hpa.decide(301, 6, 6, 0)).as("window passed: down to the minimum").isEqualTo(1);
    }

    @Test
    void scaleUpIsLimitedPerPeriodFromTheCountAtItsStart() {
        ScalingRules up = new ScalingRules(0, List.of(ScalingRules.Policy.pods(2, 60)), true);
        HpaController hpa = controller(1, up, FREE_DOWN);
        assertThat(hpa.decide(0, 2, 2, 20)).isEqualTo(4);
        assertThat(hpa.decide(15, 4, 4, 40)).as("2 already added within 60 s").isEqualTo(4);
        assertThat(hpa.decide(61, 4, 4, 40)).isEqualTo(6);
    }

    @Test
    void selectPolicyMaxTakesTheMostGenerousPolicy() {
        List<ScalingRules.Policy> policies = List.of(ScalingRules.Policy.pods(2, 60), ScalingRules.Policy.percent(100, 60));
        assertThat(controller(1, new ScalingRules(0, policies, true), FREE_DOWN).decide(0, 4, 4, 400)).isEqualTo(8);
        assertThat(controller(1, new ScalingRules(0, policies, false), FREE_DOWN).decide(0, 4, 4, 400)).isEqualTo(6);
    }

    @Test
    void scaleDownIsLimitedPerPeriodToo() {
        ScalingRules down = new ScalingRules(0, List.of(ScalingRules.Policy.pods(1, 120)), true);
        HpaController hpa = controller(4, FREE_UP, down);
        assertThat(hpa.decide(0, 6, 6, 0)).isEqualTo(5);
        assertThat(hpa.decide(15, 5, 5, 0)).isEqualTo(5);
        assertThat(hpa.decide(121, 5, 5, 0)).isEqualTo(4);
    }

    @Test
    void staysWithinMinAndMaxReplicas() {
        assertThat(controller(1, FREE_UP, FREE_DOWN).decide(0, 10, 10, 10_000)).isEqualTo(20);
        assertThat(controller(1, FREE_UP, FREE_DOWN).decide(0, 10, 10, 0)).isEqualTo(1);
    }
}
