package ai.sluice.gateway;

import java.util.ArrayList;
import java.util.List;

/**
 * A replica for the next attempt of a request, from the pools its route allows and from no other. The pools are
 * tried in the route's order, those spilling last; within a pool its router picks. While no allowed pool has a
 * ready replica at all (all starting, all down) the request is held up to the hold deadline; once replicas were
 * tried and failed, the untried ones are the only choice.
 */
final class ReplicaPicker {
    /** Passes over the pools again when the fleet changed mid-pass; bounded, so a flapping fleet cannot spin. */
    private static final int MAX_REPICKS = 3;
    private final GatewayConfig config;
    private final GatewayMetrics metrics;

    ReplicaPicker(GatewayConfig config, GatewayMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * A replica whose breaker granted this call, or null when none can take it (after holding, if none was up).
     * Sets {@code x.pool} and why it was chosen; on null, {@code x.poolWhy} says why each allowed pool could not.
     */
    Replica acquire(Exchange x) {
        long deadline = x.arrival + config.holdTimeout().toNanos();
        boolean holding = false;
        int repicks = 0;
        try {
            while (true) {
                long now = System.nanoTime();
                List<String> passed = new ArrayList<>();
                boolean retry = false;
                for (Pool pool : x.route.order()) {
                    String cannot = pool.cannotServe(x.path, x.model);
                    if (cannot != null) {
                        passed.add(pool.name() + ": " + cannot);
                        continue;
                    }
                    Replica r = pool.router.pick(pool.fleet.serving(pool.external() ? null : x.model), x.tried,
                            x.affinityKey, now);
                    if (r == null) {
                        passed.add(pool.name() + ": " + pool.unavailable(now));
                        continue;
                    }
                    if (!pool.admitByProviderLimit()) {
                        passed.add(pool.name() + ": its requests_per_second limit is reached");
                        continue;
                    }
                    if (!r.tryAcquire()) {
                        x.tried.add(r); // half-open breaker with its probes taken: not this one now
                        retry = true;
                        break;
                    }
                    choose(x, pool, passed);
                    return r;
                }
                if (retry) {
                    continue;
                }
                x.pool = null;
                x.poolWhy = String.join("; ", passed);
                if (anyRoutable(x, now) || now - deadline >= 0) {
                    if (repicks++ < MAX_REPICKS && untriedRoutable(x)) {
                        // the fleet changed during this pass (a replica's first health check came in after the
                        // pick passed it over): pick again rather than answer 503 with a ready replica untried
                        continue;
                    }
                    return null;
                }
                if (!holding) {
                    holding = true;
                    metrics.held().incrementAndGet();
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (holding) {
                metrics.held().decrementAndGet();
            }
        }
    }

    /** Records which pool and why: its first choice, a spill past busy pools, or a failover past failed ones. */
    private void choose(Exchange x, Pool pool, List<String> passed) {
        Pool first = x.route.allowed().getFirst();
        x.pool = pool;
        if (pool == first) {
            x.poolReason = "first_choice";
            x.poolWhy = "first choice";
            return;
        }
        List<String> why = new ArrayList<>();
        boolean spill = false;
        for (Pool p : x.route.allowed()) {
            if (p == pool) {
                break;
            }
            if (p.wasSpilling()) {
                spill = true;
                PoolSpec.Spill t = p.spec.spill();
                why.add(p.name() + " has " + Math.round(p.waiting()) + " waiting"
                        + (Double.isInfinite(t.atWaiting()) ? "" : " (spills at " + Math.round(t.atWaiting())
                        + ", back at " + Math.round(t.backAtWaiting()) + ")")
                        + (Double.isInfinite(t.atWaitMs()) ? "" : ", predicted wait " + Math.round(p.predictedWaitMs())
                        + " ms (spills at " + Math.round(t.atWaitMs()) + ", back at " + Math.round(t.backAtWaitMs()) + ")"));
            }
        }
        why.addAll(passed);
        x.poolReason = spill ? "spill" : "failover";
        x.poolWhy = x.poolReason + ": " + String.join("; ", why);
    }

    /** Whether a replica of an allowed pool that serves the request is routable now and was not tried. */
    private static boolean untriedRoutable(Exchange x) {
        long now = System.nanoTime();
        for (Pool p : x.route.order()) {
            if (p.external() || p.cannotServe(x.path, x.model) != null) {
                continue;
            }
            for (Replica r : p.fleet.serving(x.model)) {
                if (!x.tried.contains(r) && r.routable(now)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean anyRoutable(Exchange x, long now) {
        for (Pool p : x.route.allowed()) {
            if (p.fleet.anyRoutable(now)) {
                return true;
            }
        }
        return false;
    }

    /** Seconds a client should wait before trying again when no replica was ready. */
    long retryAfterSeconds() {
        return Math.max(1, config.healthInterval().toSeconds() + 1);
    }
}
