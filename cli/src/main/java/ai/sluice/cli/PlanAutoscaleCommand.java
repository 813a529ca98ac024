package ai.sluice.cli;

import ai.sluice.plan.PlanException;
import ai.sluice.plan.autoscale.ArrivalPattern;
import ai.sluice.plan.autoscale.AutoscaleSimulation;
import ai.sluice.plan.autoscale.HpaController;
import ai.sluice.plan.autoscale.ScalingRules;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice plan autoscale}: replays a day (or a spike, or recorded rates) against the HPA's algorithm and
 * the replicas' measured capacity, to pick the autoscaling target before going live. Defaults are the
 * behaviour in deploy/kubernetes/components/hpa.
 */
@Command(name = "autoscale", mixinStandardHelpOptions = true,
        description = "What-if for queue-depth autoscaling: replays arrivals against Kubernetes' HPA algorithm "
                + "and prints replicas, queue, p99 wait and cost over time.")
public final class PlanAutoscaleCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--pattern", required = true, paramLabel = "diurnal|spike|FILE",
            description = "diurnal (24 h, trough 04:00, peak 16:00), spike (2 h, a jump at 00:30) or a file of 'SECONDS RATE' lines.")
    String pattern;

    @Option(names = "--target", required = true, paramLabel = "N",
            description = "HPA target: average vllm:num_requests_waiting per replica (from sluice bench --sweep).")
    double target;

    @Option(names = "--peak-rps", defaultValue = "8", paramLabel = "R", description = "Peak arrival rate, req/s (default: ${DEFAULT-VALUE}).")
    double peakRps;

    @Option(names = "--base-rps", paramLabel = "R", description = "Diurnal trough or spike base rate (default: peak / 8).")
    Double baseRps;

    @Option(names = "--spike-seconds", defaultValue = "900", paramLabel = "S", description = "Spike length (default: ${DEFAULT-VALUE}).")
    double spikeSeconds;

    @Option(names = "--slots", defaultValue = "8", paramLabel = "N",
            description = "Requests one replica runs at once, as measured (serve --max-num-seqs; default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--service-seconds", defaultValue = "10", paramLabel = "S",
            description = "Mean end-to-end time of one request at that batch size, as measured by bench (default: ${DEFAULT-VALUE}).")
    double serviceSeconds;

    @Option(names = "--pod-start", paramLabel = "S",
            description = "Seconds from the HPA's decision to a serving replica (default: scheduling + model pull + load).")
    Double podStart;

    @Option(names = "--model-gb", defaultValue = "0.7", paramLabel = "GB", description = "Model file size for the pull time (default: ${DEFAULT-VALUE}).")
    double modelGb;

    @Option(names = "--pull-mb-per-s", defaultValue = "200", paramLabel = "MB/s", description = "Model pull speed (default: ${DEFAULT-VALUE}).")
    double pullMbPerSecond;

    @Option(names = "--load-seconds", defaultValue = "30", paramLabel = "S",
            description = "Scheduling, image start, model load and warm-up (default: ${DEFAULT-VALUE}).")
    double loadSeconds;

    @Option(names = "--usd-per-replica-hour", defaultValue = "1.0", paramLabel = "USD", description = "Price of a replica-hour (default: ${DEFAULT-VALUE}).")
    double usdPerReplicaHour;

    @Option(names = "--min-replicas", defaultValue = "1", paramLabel = "N", description = "(default: ${DEFAULT-VALUE})")
    int minReplicas;

    @Option(names = "--max-replicas", defaultValue = "8", paramLabel = "N", description = "(default: ${DEFAULT-VALUE})")
    int maxReplicas;

    @Option(names = "--tolerance", defaultValue = "0.1", paramLabel = "F", description = "HPA tolerance (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--sync-period", defaultValue = "15", paramLabel = "S", description = "HPA sync period (default: ${DEFAULT-VALUE}).")
    int syncPeriod;

    @Option(names = "--metric-lag", defaultValue = "15", paramLabel = "S", description = "Age of the metric the HPA sees: scrape + adapter (default: ${DEFAULT-VALUE}).")
    int metricLag;

    @Option(names = "--up-window", defaultValue = "0", paramLabel = "S", description = "Scale-up stabilization window (default: ${DEFAULT-VALUE}).")
    int upWindow;

    @Option(names = "--up-percent", defaultValue = "100", paramLabel = "P", description = "Scale-up policy: percent per period; 0 = none (default: ${DEFAULT-VALUE}).")
    int upPercent;

    @Option(names = "--up-pods", defaultValue = "2", paramLabel = "N", description = "Scale-up policy: pods per period; 0 = none (default: ${DEFAULT-VALUE}).")
    int upPods;

    @Option(names = "--up-period", defaultValue = "60", paramLabel = "S", description = "Scale-up policy period (default: ${DEFAULT-VALUE}).")
    int upPeriod;

    @Option(names = "--down-window", defaultValue = "300", paramLabel = "S", description = "Scale-down stabilization window (default: ${DEFAULT-VALUE}).")
    int downWindow;

    @Option(names = "--down-pods", defaultValue = "1", paramLabel = "N", description = "Scale-down policy: pods per period (default: ${DEFAULT-VALUE}).")
    int downPods;

    @Option(names = "--down-period", defaultValue = "120", paramLabel = "S", description = "Scale-down policy period (default: ${DEFAULT-VALUE}).")
    int downPeriod;

    @Option(names = "--scale-to-zero-after", paramLabel = "S",
            description = "Model KEDA's minReplicaCount 0: go to zero after this many idle seconds (its cooldownPeriod), "
                    + "wake on the first held request (default: no scale to zero).")
    Integer scaleToZeroAfter;

    @Option(names = "--polling-interval", defaultValue = "10", paramLabel = "S",
            description = "KEDA's pollingInterval, for --scale-to-zero-after (default: ${DEFAULT-VALUE}).")
    int pollingInterval;

    @Option(names = "--bucket-minutes", paramLabel = "M", description = "Table row length (default: 60 for a day, 5 for a spike, else 1/24 of the run).")
    Integer bucketMinutes;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Arrival randomness (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public void run() {
        double base = baseRps != null ? baseRps : peakRps / 8;
        ArrivalPattern arrivals = switch (pattern) {
            case "diurnal" -> new ArrivalPattern.Diurnal(base, peakRps);
            case "spike" -> new ArrivalPattern.Spike(base, peakRps, spikeSeconds);
            default -> {
                Path file = Path.of(pattern);
                if (!Files.isRegularFile(file)) {
                    throw new PlanException("--pattern must be diurnal, spike or a file of 'SECONDS RATE' lines; no file " + pattern);
                }
                yield ArrivalPattern.Recorded.read(file);
            }
        };
        double start = podStart != null ? podStart : modelGb * 1000 / pullMbPerSecond + loadSeconds;
        List<ScalingRules.Policy> up = new ArrayList<>();
        if (upPercent > 0) {
            up.add(ScalingRules.Policy.percent(upPercent, upPeriod));
        }
        if (upPods > 0) {
            up.add(ScalingRules.Policy.pods(upPods, upPeriod));
        }
        if (up.isEmpty()) {
            throw new PlanException("give --up-percent or --up-pods a value above 0: without a policy nothing scales up");
        }
        HpaController.Config hpa = new HpaController.Config(target, tolerance, minReplicas, maxReplicas,
                new ScalingRules(upWindow, up, true),
                new ScalingRules(downWindow, List.of(ScalingRules.Policy.pods(downPods, downPeriod)), true));
        int bucket = bucketMinutes != null ? bucketMinutes * 60
                : arrivals instanceof ArrivalPattern.Diurnal ? 3600
                : arrivals instanceof ArrivalPattern.Spike ? 300
                : Math.max(60, (int) Math.ceil(arrivals.durationSeconds() / 24 / 60) * 60);
        if (bucket < 60) {
            throw new PlanException("--bucket-minutes must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(AutoscaleSimulation.run(arrivals, new AutoscaleSimulation.Replicas(slots, serviceSeconds, start, usdPerReplicaHour),
                hpa, new AutoscaleSimulation.Timing(syncPeriod, metricLag),
                scaleToZeroAfter == null ? null : new AutoscaleSimulation.ScaleToZero(pollingInterval, scaleToZeroAfter),
                bucket, seed).render());
        out.flush();
    }
}
