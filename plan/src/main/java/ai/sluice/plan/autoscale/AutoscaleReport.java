package ai.sluice.plan.autoscale;

import java.util.List;
import java.util.Locale;

/**
 * What a what-if produced: one row per time bucket and the totals.
 *
 * @param toZero          KEDA's scale to zero, or null for a plain HPA
 * @param requests        requests that started within the run
 * @param leftWaiting     requests still waiting at the end
 * @param maxReplicas     the most replicas asked for at once
 * @param replicaHours    replica-hours paid (starting replicas count: the node is held while the model loads)
 * @param peakRps         the pattern's highest arrival rate
 */
public record AutoscaleReport(String pattern, AutoscaleSimulation.Replicas replicas, HpaController.Config hpa,
                              AutoscaleSimulation.Timing timing, AutoscaleSimulation.ScaleToZero toZero, List<Row> rows, int requests, int leftWaiting,
                              double p50WaitSeconds, double p99WaitSeconds, int maxReplicas, double replicaHours,
                              double costUsd, double peakRps) {

    /** Replicas that serve the peak rate at full utilisation: below this the queue grows without bound. */
    public int replicasForPeak() {
        return (int) Math.ceil(peakRps / replicas.capacityRps() - 1e-9);
    }

    /**
     * One time bucket.
     *
     * @param replicas     mean replicas (ready and starting)
     * @param ready        mean ready replicas
     * @param queueMean    mean requests waiting (all replicas together)
     * @param p99Wait      99th percentile of the wait of requests started in the bucket, seconds
     */
    public record Row(int startSeconds, double arrivalRps, double replicas, double ready, double queueMean,
                      int queueMax, double p99Wait, double costUsd) {
    }

    /** The table, with a bar per row: '#' ready replicas, '+' starting ones. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "pattern     %s%n", pattern));
        out.append(String.format(Locale.ROOT,
                "replica     %d slots x %.1f s per request = %.2f req/s; ready %.0f s after it is asked for; $%.2f/hour%n",
                replicas.slots(), replicas.serviceSeconds(), replicas.capacityRps(), replicas.podStartSeconds(),
                replicas.usdPerReplicaHour()));
        out.append(String.format(Locale.ROOT,
                "hpa         target %.2f waiting per replica, tolerance %.2f, %d..%d replicas, sync %d s, metric lag %d s%n",
                hpa.target(), hpa.tolerance(), hpa.minReplicas(), hpa.maxReplicas(), timing.syncSeconds(),
                timing.metricLagSeconds()));
        out.append(String.format(Locale.ROOT, "            up: %s; down: %s%n", describe(hpa.up()), describe(hpa.down())));
        if (toZero != null) {
            out.append(String.format(Locale.ROOT,
                    "            scale to zero (KEDA): from 0 when a request is held (polled every %d s), to 0 after %d s idle%n",
                    toZero.pollingSeconds(), toZero.cooldownSeconds()));
        }
        out.append(System.lineSeparator());
        out.append(String.format(Locale.ROOT, "%-8s %7s %8s %6s %9s %9s %9s %8s  %s%n",
                "time", "req/s", "replicas", "ready", "queue avg", "queue max", "p99 wait", "cost", "replicas (# ready, + starting)"));
        for (Row r : rows) {
            int ready = (int) Math.round(r.ready());
            int starting = Math.max(0, (int) Math.round(r.replicas()) - ready);
            out.append(String.format(Locale.ROOT, "%-8s %7.2f %8.1f %6.1f %9.1f %9d %8.1fs %8s  %s%n",
                    clock(r.startSeconds()), r.arrivalRps(), r.replicas(), r.ready(), r.queueMean(), r.queueMax(),
                    r.p99Wait(), String.format(Locale.ROOT, "$%.2f", r.costUsd()), "#".repeat(ready) + "+".repeat(starting)));
        }
        out.append(String.format(Locale.ROOT,
                "%ntotal       %,d requests (%d still waiting at the end); wait p50 %.1f s, p99 %.1f s; at most %d replicas; %.1f replica-hours, $%.2f%n",
                requests, leftWaiting, p50WaitSeconds, p99WaitSeconds, maxReplicas, replicaHours, costUsd));
        if (replicasForPeak() > hpa.maxReplicas()) {
            out.append(String.format(Locale.ROOT,
                    "warning     the peak of %.2f req/s needs %d replicas of %.2f req/s, more than --max-replicas %d: the queue grows without bound there%n",
                    peakRps, replicasForPeak(), replicas.capacityRps(), hpa.maxReplicas()));
        }
        return out.toString();
    }

    private static String describe(ScalingRules rules) {
        StringBuilder s = new StringBuilder("window " + rules.stabilizationSeconds() + " s");
        for (ScalingRules.Policy p : rules.policies()) {
            s.append(", ").append(p.value()).append(p.percent() ? "%" : p.value() == 1 ? " pod" : " pods").append(" per ").append(p.periodSeconds()).append(" s");
        }
        return s.append(rules.policies().size() > 1 ? (rules.selectMax() ? " (Max)" : " (Min)") : "").toString();
    }

    private static String clock(int seconds) {
        return String.format(Locale.ROOT, "%02d:%02d", seconds / 3600, seconds % 3600 / 60);
    }
}
