package ai.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The queue depth at which the TTFT SLO starts to break, measured: every request is paired with the waiting-queue
 * depth the server reported just before it was sent; requests are grouped by that depth; walking up the depths, the
 * first group whose TTFT attainment falls below the target is where the SLO breaks. The last depth below it is the
 * suggested HPA target (average {@code vllm:num_requests_waiting} per replica).
 *
 * @param breakDepth   first depth whose group missed the TTFT attainment; null if none did
 * @param target       the suggested HPA target; null when the SLO broke even with an empty queue
 * @param maxObserved  the deepest queue seen
 * @param observations requests paired with a depth
 * @param byDepth      per depth: requests and the fraction meeting the TTFT SLO
 */
public record HpaAdvice(Integer breakDepth, Integer target, int maxObserved, int observations,
                        List<DepthGroup> byDepth, String message) {

    public record DepthGroup(int depth, int requests, double ttftAttainment) {
    }

    /** One measured request: the queue depth it arrived into and whether it met the TTFT SLO. */
    public record Observation(int depth, boolean ttftMet) {
    }

    /** Groups with fewer requests than this are merged into the next deeper one, so one request decides nothing. */
    static final int MIN_GROUP = 3;

    /** Pairs each request of a step with the last queue sample taken at or before its send time. */
    public static List<Observation> observe(List<RequestRecord> records, long epochNanos,
                                            List<QueueWatcher.Sample> samples, Slo slo) {
        List<Observation> out = new ArrayList<>();
        if (samples.isEmpty()) {
            return out;
        }
        for (RequestRecord r : records) {
            long sentAt = epochNanos + r.startNanos();
            QueueWatcher.Sample seen = samples.getFirst();
            for (QueueWatcher.Sample s : samples) {
                if (s.atNanos() > sentAt) {
                    break;
                }
                seen = s;
            }
            out.add(new Observation((int) Math.round(seen.waiting()), slo.ttftMetBy(r)));
        }
        return out;
    }

    public static HpaAdvice analyze(List<Observation> observations, double attainment) {
        if (observations.isEmpty()) {
            return new HpaAdvice(null, null, 0, 0, List.of(),
                    "no queue depth: the server's /metrics has no " + QueueWatcher.WAITING);
        }
        Map<Integer, int[]> groups = new TreeMap<>();
        int max = 0;
        for (Observation o : observations) {
            int[] g = groups.computeIfAbsent(o.depth(), d -> new int[2]);
            g[0]++;
            g[1] += o.ttftMet() ? 1 : 0;
            max = Math.max(max, o.depth());
        }
        List<DepthGroup> merged = new ArrayList<>();
        int requests = 0;
        int met = 0;
        int last = -1;
        for (Map.Entry<Integer, int[]> e : groups.entrySet()) {
            requests += e.getValue()[0];
            met += e.getValue()[1];
            last = e.getKey();
            if (requests >= MIN_GROUP) {
                merged.add(new DepthGroup(last, requests, (double) met / requests));
                requests = 0;
                met = 0;
            }
        }
        if (requests > 0) {
            merged.add(new DepthGroup(last, requests, (double) met / requests));
        }
        Integer previous = null;
        for (DepthGroup g : merged) {
            if (g.ttftAttainment() < attainment) {
                if (previous == null) {
                    return new HpaAdvice(g.depth(), null, max, observations.size(), merged,
                            "TTFT SLO missed already at queue depth " + g.depth()
                                    + ": a single replica is too slow per request; more replicas will not fix it");
                }
                return new HpaAdvice(g.depth(), previous, max, observations.size(), merged,
                        "TTFT SLO starts to break at queue depth " + g.depth() + " per replica; suggested HPA target: "
                                + QueueWatcher.WAITING + " averageValue " + previous + " per replica");
            }
            previous = g.depth();
        }
        return new HpaAdvice(null, max, max, observations.size(), merged,
                "TTFT SLO held up to the deepest queue seen (" + max + "); suggested HPA target at most "
                        + QueueWatcher.WAITING + " averageValue " + max
                        + " per replica (sweep higher rates to find the break)");
    }
}
