package ai.sluice.plan.autoscale;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The HorizontalPodAutoscaler's decision for a {@code type: Pods} metric, as kube-controller-manager computes
 * it (pkg/controller/podautoscaler: replica_calculator.go and horizontal.go), so a what-if shows what the
 * cluster will do, not an idealised autoscaler:
 * <ol>
 *   <li>usage ratio = (sum of the pods' metric / pods reporting) / target; within the tolerance, keep the
 *       current count; else ceil(ratio x pods reporting). Pods still starting report nothing: on a scale-up
 *       they count as 0, on a scale-down as at target, and a recomputed ratio that falls inside the tolerance
 *       or flips direction keeps the current count;</li>
 *   <li>stabilization: the new count is at least the lowest recommendation of the scale-up window and at most
 *       the highest of the scale-down window;</li>
 *   <li>rate limits: from the count at the start of each policy's period (now minus what was added or
 *       removed within it), the policy's allowance; selectPolicy picks the most (Max) or least (Min) change;</li>
 *   <li>clamped to [min, max] replicas.</li>
 * </ol>
 */
public final class HpaController {

    /** Settings of one HPA. */
    public record Config(double target, double tolerance, int minReplicas, int maxReplicas, ScalingRules up,
                         ScalingRules down) {
        public Config {
            if (!(target > 0)) {
                throw new IllegalArgumentException("--target must be > 0, got " + target);
            }
            if (!(tolerance >= 0 && tolerance < 1)) {
                throw new IllegalArgumentException("--tolerance must be in [0, 1), got " + tolerance);
            }
            if (minReplicas < 1 || maxReplicas < minReplicas) {
                throw new IllegalArgumentException("need 1 <= min replicas <= max replicas, got " + minReplicas + ".." + maxReplicas);
            }
        }
    }

    private record Timed(double at, int value) {
    }

    private final Config config;
    private final Deque<Timed> recommendations = new ArrayDeque<>();
    private final Deque<Timed> scaleEvents = new ArrayDeque<>();

    public HpaController(Config config) {
        this.config = config;
    }

    /**
     * One sync: the replica count to set.
     *
     * @param now       seconds since the start
     * @param current   the Deployment's replicas (ready and starting)
     * @param reporting pods with a metric (ready)
     * @param metricSum sum of the metric over the reporting pods
     */
    public int decide(double now, int current, int reporting, double metricSum) {
        int raw = rawDesired(current, reporting, metricSum);
        int stabilized = stabilize(now, current, raw);
        int desired = limitRate(now, current, stabilized);
        if (desired != current) {
            scaleEvents.addLast(new Timed(now, desired - current));
        }
        return desired;
    }

    /** Step 1: the replica calculator. */
    int rawDesired(int current, int reporting, double metricSum) {
        if (reporting == 0) {
            return current; // no metrics: the HPA reports an error and leaves the count alone
        }
        int missing = Math.max(0, current - reporting);
        double usageRatio = metricSum / reporting / config.target();
        if (missing == 0) {
            if (Math.abs(1 - usageRatio) <= config.tolerance()) {
                return current;
            }
            return (int) Math.ceil(usageRatio * reporting);
        }
        double assumed = usageRatio < 1 ? config.target() : 0;
        double newRatio = (metricSum + missing * assumed) / (reporting + missing) / config.target();
        if (Math.abs(1 - newRatio) <= config.tolerance() || (usageRatio < 1) != (newRatio < 1)) {
            return current;
        }
        int replicas = (int) Math.ceil(newRatio * (reporting + missing));
        if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) {
            return current;
        }
        return replicas;
    }

    /** Step 2: the stabilization windows over past recommendations (the raw one included). */
    private int stabilize(double now, int current, int raw) {
        int longest = Math.max(config.up().stabilizationSeconds(), config.down().stabilizationSeconds());
        while (!recommendations.isEmpty() && recommendations.peekFirst().at() < now - longest) {
            recommendations.removeFirst();
        }
        int upRecommendation = raw;
        int downRecommendation = raw;
        for (Timed r : recommendations) {
            if (r.at() >= now - config.up().stabilizationSeconds()) {
                upRecommendation = Math.min(upRecommendation, r.value());
            }
            if (r.at() >= now - config.down().stabilizationSeconds()) {
                downRecommendation = Math.max(downRecommendation, r.value());
            }
        }
        recommendations.addLast(new Timed(now, raw));
        int recommendation = current;
        if (recommendation < upRecommendation) {
            recommendation = upRecommendation;
        }
        if (recommendation > downRecommendation) {
            recommendation = downRecommendation;
        }
        return recommendation;
    }

    /** Steps 3 and 4: the scaling policies, then [min, max]. */
    private int limitRate(double now, int current, int desired) {
        int longest = 0;
        for (ScalingRules.Policy p : config.up().policies()) {
            longest = Math.max(longest, p.periodSeconds());
        }
        for (ScalingRules.Policy p : config.down().policies()) {
            longest = Math.max(longest, p.periodSeconds());
        }
        while (!scaleEvents.isEmpty() && scaleEvents.peekFirst().at() < now - longest) {
            scaleEvents.removeFirst();
        }
        if (desired > current) {
            int limit = config.up().selectMax() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            for (ScalingRules.Policy p : config.up().policies()) {
                int periodStart = current - changedWithin(now, p.periodSeconds(), true);
                int allowed = p.percent() ? (int) Math.ceil(periodStart * (1 + p.value() / 100.0)) : periodStart + p.value();
                limit = config.up().selectMax() ? Math.max(limit, allowed) : Math.min(limit, allowed);
            }
            limit = Math.max(limit, current);
            return Math.max(config.minReplicas(), Math.min(desired, Math.min(limit, config.maxReplicas())));
        }
        if (desired < current) {
            int limit = config.down().selectMax() ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            for (ScalingRules.Policy p : config.down().policies()) {
                int periodStart = current + changedWithin(now, p.periodSeconds(), false);
                int allowed = p.percent() ? (int) Math.floor(periodStart * (1 - p.value() / 100.0)) : periodStart - p.value();
                limit = config.down().selectMax() ? Math.min(limit, allowed) : Math.max(limit, allowed);
            }
            limit = Math.min(limit, current);
            return Math.min(config.maxReplicas(), Math.max(desired, Math.max(limit, config.minReplicas())));
        }
        return Math.max(config.minReplicas(), Math.min(current, config.maxReplicas()));
    }

    /** Replicas added (up) or removed (down) by this controller within the last {@code period} seconds. */
    private int changedWithin(double now, int period, boolean up) {
        int sum = 0;
        for (Timed e : scaleEvents) {
            if (e.at() > now - period) {
                if (up && e.value() > 0) {
                    sum += e.value();
                } else if (!up && e.value() < 0) {
                    sum -= e.value();
                }
            }
        }
        return sum;
    }
}
