package ai.sluice.plan.autoscale;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Replays arrivals against replicas of a measured capacity under the HPA's algorithm ({@link HpaController}),
 * in one-second steps. A what-if, not an orchestrator:
 * <ul>
 *   <li>arrivals are Poisson at the pattern's rate (seeded: the same inputs give the same table);</li>
 *   <li>a replica runs {@code slots} requests at once, each for {@code serviceSeconds} (from {@code sluice bench}:
 *       the batch size the TTFT SLO allows and the mean end-to-end latency at it); requests wait in one
 *       first-come queue in front of all ready replicas (the gateway's least-loaded routing, idealised);</li>
 *   <li>the HPA syncs every {@code syncSeconds} and sees the queue as it was {@code metricLagSeconds} ago
 *       (scrape interval plus adapter), averaged over ready replicas;</li>
 *   <li>a new replica serves {@code podStartSeconds} after the HPA asks for it (image, model pull, load); a
 *       removed one takes no new requests and finishes those it runs; starting replicas go first.</li>
 * </ul>
 * Waits are measured to one-second resolution.
 */
public final class AutoscaleSimulation {

    /** What one replica does, and what a replica-hour costs. */
    public record Replicas(int slots, double serviceSeconds, double podStartSeconds, double usdPerReplicaHour) {
        public Replicas {
            if (slots < 1 || !(serviceSeconds > 0) || !(podStartSeconds >= 0) || !(usdPerReplicaHour >= 0)) {
                throw new IllegalArgumentException("need slots >= 1, service time > 0, pod start >= 0, price >= 0");
            }
        }

        /** Requests per second one replica completes when busy. */
        public double capacityRps() {
            return slots / serviceSeconds;
        }
    }

    /** The HPA's timing. */
    public record Timing(int syncSeconds, int metricLagSeconds) {
        public Timing {
            if (syncSeconds < 1 || metricLagSeconds < 0) {
                throw new IllegalArgumentException("sync period must be >= 1 s and metric lag >= 0 s");
            }
        }
    }

    /**
     * KEDA's scale to zero ({@code minReplicaCount: 0}): with no replica, a request held by the gateway activates
     * one at the next poll; after {@code cooldownSeconds} with nothing waiting or running, all go. While replicas
     * run, the HPA decides as usual (from 1 up).
     */
    public record ScaleToZero(int pollingSeconds, int cooldownSeconds) {
        public ScaleToZero {
            if (pollingSeconds < 1 || cooldownSeconds < 0) {
                throw new IllegalArgumentException("polling interval must be >= 1 s and cooldown >= 0 s");
            }
        }
    }

    private AutoscaleSimulation() {
    }

    public static AutoscaleReport run(ArrivalPattern pattern, Replicas replicas, HpaController.Config hpa, Timing timing,
                                      int bucketSeconds, long seed) {
        return run(pattern, replicas, hpa, timing, null, bucketSeconds, seed);
    }

    /** As {@link #run(ArrivalPattern, Replicas, HpaController.Config, Timing, int, long)}, with KEDA's scale to zero when {@code toZero} is given. */
    public static AutoscaleReport run(ArrivalPattern pattern, Replicas replicas, HpaController.Config hpa, Timing timing,
                                      ScaleToZero toZero, int bucketSeconds, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        HpaController controller = new HpaController(hpa);
        int duration = (int) Math.ceil(pattern.durationSeconds());
        int buckets = (duration + bucketSeconds - 1) / bucketSeconds;
        Bucket[] stats = new Bucket[buckets];
        for (int b = 0; b < buckets; b++) {
            stats[b] = new Bucket();
        }
        ArrayDeque<Double> waiting = new ArrayDeque<>();
        PriorityQueue<Double> running = new PriorityQueue<>();
        // ready-at times of the replicas; ready when readyAt <= now
        List<Double> pods = new ArrayList<>();
        for (int i = 0; toZero == null && i < hpa.minReplicas(); i++) {
            pods.add(0.0);
        }
        int lastBusy = 0;
        int[] waitingHistory = new int[duration + 1];
        List<Double> allWaits = new ArrayList<>();
        int maxReplicas = pods.size();
        double peakRps = 0;

        for (int t = 0; t < duration; t++) {
            Bucket bucket = stats[t / bucketSeconds];
            double rate = pattern.rateAt(t);
            peakRps = Math.max(peakRps, rate);
            int arrivals = poisson(random, rate);
            double[] times = new double[arrivals];
            for (int i = 0; i < arrivals; i++) {
                times[i] = t + random.nextDouble();
            }
            Arrays.sort(times);
            for (double at : times) {
                waiting.addLast(at);
            }
            while (!running.isEmpty() && running.peek() <= t + 1) {
                running.poll();
            }
            int ready = 0;
            for (double readyAt : pods) {
                if (readyAt <= t) {
                    ready++;
                }
            }
            int capacity = ready * replicas.slots();
            while (!waiting.isEmpty() && running.size() < capacity) {
                double arrivedAt = waiting.pollFirst();
                double start = Math.max(arrivedAt, t);
                double wait = start - arrivedAt;
                bucket.waits.add(wait);
                allWaits.add(wait);
                running.add(start + replicas.serviceSeconds());
            }
            waitingHistory[t] = waiting.size();
            if (!waiting.isEmpty() || !running.isEmpty()) {
                lastBusy = t;
            }

            if (toZero != null && pods.isEmpty()) {
                if (t % toZero.pollingSeconds() == 0 && !waiting.isEmpty()) {
                    pods.add(t + replicas.podStartSeconds()); // activation: 0 -> 1
                    maxReplicas = Math.max(maxReplicas, 1);
                }
            } else if (toZero != null && t - lastBusy >= toZero.cooldownSeconds() && t % toZero.pollingSeconds() == 0) {
                pods.clear(); // idle for the cooldown: 1.. -> 0
            } else if (t % timing.syncSeconds() == 0 && t > 0) {
                int seen = waitingHistory[Math.max(0, t - timing.metricLagSeconds())];
                int desired = controller.decide(t, pods.size(), ready, seen);
                while (pods.size() < desired) {
                    pods.add(t + replicas.podStartSeconds());
                }
                while (pods.size() > desired) {
                    // the latest to become ready goes first (a starting pod before a serving one)
                    int latest = 0;
                    for (int i = 1; i < pods.size(); i++) {
                        if (pods.get(i) > pods.get(latest)) {
                            latest = i;
                        }
                    }
                    pods.remove(latest);
                }
                maxReplicas = Math.max(maxReplicas, pods.size());
            }
            bucket.seconds++;
            bucket.arrivals += arrivals;
            bucket.replicaSeconds += pods.size();
            bucket.readySeconds += ready;
            bucket.waitingSum += waiting.size();
            bucket.waitingMax = Math.max(bucket.waitingMax, waiting.size());
        }

        List<AutoscaleReport.Row> rows = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            Bucket s = stats[b];
            rows.add(new AutoscaleReport.Row(b * bucketSeconds, s.arrivals / (double) s.seconds,
                    s.replicaSeconds / (double) s.seconds, s.readySeconds / (double) s.seconds,
                    s.waitingSum / (double) s.seconds, s.waitingMax, percentile(s.waits, 0.99),
                    s.replicaSeconds / 3600.0 * replicas.usdPerReplicaHour()));
        }
        double replicaHours = rows.stream().mapToDouble(r -> r.replicas() * bucketSeconds).sum() / 3600.0;
        return new AutoscaleReport(pattern.describe(), replicas, hpa, timing, toZero, List.copyOf(rows), allWaits.size(),
                waiting.size(), percentile(allWaits, 0.5), percentile(allWaits, 0.99), maxReplicas, replicaHours,
                replicaHours * replicas.usdPerReplicaHour(), peakRps);
    }

    private static final class Bucket {
        int seconds;
        long arrivals;
        long replicaSeconds;
        long readySeconds;
        long waitingSum;
        int waitingMax;
        final List<Double> waits = new ArrayList<>();
    }

    /** Knuth's method for small means, a normal approximation for large ones. */
    static int poisson(SplittableRandom random, double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 50) {
            double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
            return Math.max(0, (int) Math.round(mean + Math.sqrt(mean) * gaussian));
        }
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int count = 0;
        while (product > limit) {
            product *= random.nextDouble();
            count++;
        }
        return count;
    }

    /** Linear interpolation between closest ranks (numpy's default); 0 for no values. */
    static double percentile(List<Double> values, double q) {
        if (values.isEmpty()) {
            return 0;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double rank = q * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
