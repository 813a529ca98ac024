package ai.sluice.gateway;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a replica for one attempt. Without an affinity key: least outstanding requests ({@link Replica#score()}).
 * With one (the request's {@code user}, else the start of its prompt): consistent hashing with bounded load
 * (Mirrokni et al.): walk the ring from the key's point and take the first replica whose in-flight count is within
 * {@code loadFactor} of the mean, so requests sharing a prefix land where that prefix is cached, yet no replica
 * takes more than its share when one prefix is hot.
 */
public final class Router {
    private static final int POINTS_PER_REPLICA = 64;

    private final double loadFactor;
    private volatile Ring ring = new Ring(List.of());

    public Router(double loadFactor) {
        this.loadFactor = loadFactor;
    }

    /** Rebuilds the ring over the known replicas (all of them: a replica that is down keeps its place for when it returns). */
    public void replicas(List<Replica> all) {
        ring = new Ring(all);
    }

    /**
     * The replica for this attempt, among the routable ones not in {@code tried}; null when none is.
     * {@code affinityKey} may be null.
     */
    public Replica pick(List<Replica> candidates, Set<Replica> tried, String affinityKey, long nowNanos) {
        int usable = 0;
        long totalInFlight = 0;
        Replica least = null;
        double leastScore = Double.MAX_VALUE;
        int ties = 0;
        for (Replica r : candidates) {
            if (tried.contains(r) || !r.routable(nowNanos)) {
                continue;
            }
            usable++;
            totalInFlight += r.inFlight();
            double score = r.score();
            if (score < leastScore) {
                least = r;
                leastScore = score;
                ties = 1;
            } else if (score == leastScore && ThreadLocalRandom.current().nextInt(++ties) == 0) {
                least = r; // ties broken at random (reservoir of one), or an idle fleet sends everything to the first
            }
        }
        if (least == null || affinityKey == null || usable == 1) {
            return least;
        }
        double bound = Math.ceil(loadFactor * (totalInFlight + 1) / usable);
        for (Replica r : ring.walk(hash(affinityKey))) {
            if (!tried.contains(r) && r.routable(nowNanos) && r.inFlight() + 1 <= bound) {
                return r;
            }
        }
        return least;
    }

    static long hash(String key) {
        // FNV-1a 64 over UTF-8, then a murmur finaliser to spread nearby keys
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /** The hash ring: {@link #POINTS_PER_REPLICA} points per replica for an even share. */
    private static final class Ring {
        private final TreeMap<Long, Replica> points = new TreeMap<>();
        private final int size;

        Ring(List<Replica> replicas) {
            for (Replica r : replicas) {
                for (int i = 0; i < POINTS_PER_REPLICA; i++) {
                    points.put(hash(r.name() + "#" + i), r);
                }
            }
            size = replicas.size();
        }

        /** The distinct replicas met walking clockwise from {@code point}. */
        List<Replica> walk(long point) {
            java.util.LinkedHashSet<Replica> seen = new java.util.LinkedHashSet<>();
            for (Replica r : points.tailMap(point, true).values()) {
                if (seen.add(r) && seen.size() == size) {
                    return List.copyOf(seen);
                }
            }
            for (Replica r : points.values()) {
                if (seen.add(r) && seen.size() == size) {
                    break;
                }
            }
            return List.copyOf(seen);
        }
    }
}
