package ai.sluice.gateway;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One pool at run time: its replicas (found by {@link Discovery}, balanced by its own {@link Router}) or its one
 * external provider, and whether its traffic is spilling to the next pool. Spilling has hysteresis: it starts when
 * the replicas' summed waiting queue reaches {@code spill_at_waiting} (or the predicted wait {@code spill_at_wait_ms})
 * and ends only once it is down to {@code spill_back_at_waiting} (and {@code spill_back_at_wait_ms}), so traffic does
 * not flap at the threshold.
 */
final class Pool {
    final PoolSpec spec;
    final Fleet fleet;
    final Router router;
    private final Discovery discovery;
    private final GatewayConfig config;
    /** The provider's own rate limit (external pools with requests_per_second); null: none. */
    private final RateLimiter providerLimit;
    private boolean spilling;
    /** Mean time of this pool's recent answers (EWMA), for the predicted wait; 0 until one is timed. */
    private volatile double serviceMs;

    /** Builds on {@code previous} (the same pool in the last config) so replicas keep their health and breakers. */
    Pool(PoolSpec spec, GatewayConfig config, Discovery.Resolver resolver, Pool previous) {
        this.spec = spec;
        this.config = config;
        this.fleet = new Fleet(previous == null ? List.of() : previous.fleet.all());
        this.router = new Router(config.affinityLoadFactor());
        if (spec.isExternal()) {
            this.discovery = null;
            URI base = spec.external().baseUrl();
            fleet.update(List.of(base), u -> new Replica(u, config));
            fleet.all().forEach(r -> r.onHealth(true)); // a provider has no /health: its breaker alone judges it
            this.providerLimit = spec.external().requestsPerSecond() > 0 ? limiter(spec) : null;
        } else {
            this.discovery = new Discovery(spec.replicas(), resolver);
            fleet.update(discovery.resolve(), u -> new Replica(u, config));
            this.providerLimit = null;
        }
        for (Replica r : fleet.all()) {
            r.reconfigure(config);
        }
        router.replicas(fleet.all());
        this.spilling = previous != null && previous.spilling;
    }

    private static RateLimiter limiter(PoolSpec spec) {
        double rps = spec.external().requestsPerSecond();
        // whole requests per period: 0.5/s is one per 2 s, 20/s twenty per second
        int permits = (int) Math.max(1, Math.floor(rps));
        Duration period = Duration.ofNanos((long) (permits / rps * 1e9));
        return RateLimiter.of("pool-" + spec.name(), RateLimiterConfig.custom().limitForPeriod(permits)
                .limitRefreshPeriod(period).timeoutDuration(Duration.ZERO).build());
    }

    String name() {
        return spec.name();
    }

    boolean external() {
        return spec.isExternal();
    }

    /** Re-resolves the replicas' host names; true when replicas joined or left. */
    boolean rediscover() {
        if (discovery == null) {
            return false;
        }
        if (fleet.update(discovery.resolve(), u -> new Replica(u, config))) {
            router.replicas(fleet.all());
            return true;
        }
        return false;
    }

    /**
     * The requests waiting in the replicas' own queues, summed over the pool's routable replicas (from their last
     * /metrics): a replica that is down keeps its last scraped load, which says nothing about a new request's wait.
     */
    double waiting() {
        long now = System.nanoTime();
        double sum = 0;
        for (Replica r : fleet.all()) {
            if (r.routable(now)) {
                sum += r.load().waiting();
            }
        }
        return sum;
    }

    /** Whether new traffic should go to the next pool now (updates the hysteresis state). */
    synchronized boolean spilling() {
        PoolSpec.Spill t = spec.spill();
        if (t.never()) {
            return false;
        }
        double w = waiting();
        double wait = predictedWaitMs();
        if (!spilling && (w >= t.atWaiting() || wait >= t.atWaitMs())) {
            spilling = true;
        } else if (spilling && w <= t.backAtWaiting() && (Double.isInfinite(t.atWaitMs()) || wait <= t.backAtWaitMs())) {
            spilling = false;
        }
        return spilling;
    }

    /**
     * How long a request arriving now would wait before it runs: the queue ahead of it, served as many at a time
     * as the pool's replicas run, each taking what answers from this pool took on average lately. 0 while the
     * queue is empty or no answer was timed yet.
     */
    double predictedWaitMs() {
        double w = waiting();
        long now = System.nanoTime();
        double running = 0;
        for (Replica r : fleet.all()) {
            if (r.routable(now)) {
                running += r.load().running();
            }
        }
        return w <= 0 ? 0 : w / Math.max(1, running) * serviceMs;
    }

    /** An answer from this pool took {@code nanos} from sending to its end (for the predicted wait). */
    synchronized void served(long nanos) {
        double ms = nanos / 1e6;
        serviceMs = serviceMs == 0 ? ms : serviceMs + 0.1 * (ms - serviceMs); // EWMA over roughly the last 10
    }

    /** The last state {@link #spilling()} decided, without deciding again (for /metrics). */
    synchronized boolean wasSpilling() {
        return spilling;
    }

    /** Why this pool cannot take {@code path} for {@code model} at all (null: it can). */
    String cannotServe(String path, String model) {
        if (spec.isExternal()) {
            return spec.providerCannotServe(path, model);
        }
        if (model != null && fleet.knowsModels() && !fleet.serves(model)) {
            return "no replica there serves " + model;
        }
        return null;
    }

    /** Takes one request from the provider's rate limit; false when it is used up for now. */
    boolean admitByProviderLimit() {
        return providerLimit == null || providerLimit.acquirePermission();
    }

    /** A short account of why no replica here was picked (for the route header and a 503). */
    String unavailable(long nowNanos) {
        List<Replica> all = fleet.all();
        long down = all.stream().filter(r -> !r.routable(nowNanos)).count();
        if (external()) {
            return down > 0 ? "its circuit breaker is open" : "it already failed this request";
        }
        return down == all.size() ? "no ready replica (" + down + " of " + all.size() + " down)"
                : "its ready replicas already failed this request";
    }

    @Override
    public String toString() {
        return spec.name();
    }
}
