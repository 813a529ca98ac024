package ai.sluice.plan.autoscale;

import java.util.List;

/**
 * One direction of autoscaling/v2 {@code behavior}: a stabilization window and rate-limiting policies.
 *
 * @param stabilizationSeconds recommendations of this long are considered (scale up: their minimum; down: maximum)
 * @param policies             at most this much change per period
 * @param selectMax            {@code selectPolicy: Max} (the policy allowing the most change) or {@code Min}
 */
public record ScalingRules(int stabilizationSeconds, List<Policy> policies, boolean selectMax) {

    /** {@code type: Pods} (an absolute count) or {@code type: Percent} of the replicas at the period's start. */
    public record Policy(boolean percent, int value, int periodSeconds) {
        public Policy {
            if (value < 1 || periodSeconds < 1) {
                throw new IllegalArgumentException("a scaling policy needs value >= 1 and periodSeconds >= 1");
            }
        }

        public static Policy pods(int value, int periodSeconds) {
            return new Policy(false, value, periodSeconds);
        }

        public static Policy percent(int value, int periodSeconds) {
            return new Policy(true, value, periodSeconds);
        }
    }

    public ScalingRules {
        if (stabilizationSeconds < 0) {
            throw new IllegalArgumentException("stabilization window must be >= 0 s");
        }
        policies = List.copyOf(policies);
    }

    /** Kubernetes' default scale-up: no window, max(+4 pods, +100%) per 15 s. */
    public static ScalingRules kubernetesDefaultUp() {
        return new ScalingRules(0, List.of(Policy.pods(4, 15), Policy.percent(100, 15)), true);
    }

    /** Kubernetes' default scale-down: a 300 s window, down to any count per 15 s. */
    public static ScalingRules kubernetesDefaultDown() {
        return new ScalingRules(300, List.of(Policy.percent(100, 15)), true);
    }
}
