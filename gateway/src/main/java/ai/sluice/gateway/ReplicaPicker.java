package ai.sluice.gateway;

/**
 * A replica for the next attempt of a request. While none is ready at all (all starting, all down) the request is
 * held up to the hold deadline; once replicas were tried and failed, the untried ones are the only choice.
 */
final class ReplicaPicker {
    private final GatewayConfig config;
    private final Fleet fleet;
    private final Router router;
    private final GatewayMetrics metrics;

    ReplicaPicker(GatewayConfig config, Fleet fleet, Router router, GatewayMetrics metrics) {
        this.config = config;
        this.fleet = fleet;
        this.router = router;
        this.metrics = metrics;
    }

    /** A replica whose breaker granted this call, or null when none can take it (after holding, if none was up). */
    Replica acquire(Exchange x) {
        long deadline = x.arrival + config.holdTimeout().toNanos();
        boolean holding = false;
        try {
            while (true) {
                long now = System.nanoTime();
                Replica r = router.pick(fleet.serving(x.model), x.tried, x.affinityKey, now);
                if (r != null) {
                    if (r.tryAcquire()) {
                        return r;
                    }
                    x.tried.add(r); // half-open breaker with its probes taken: not this one now
                    continue;
                }
                if (fleet.anyRoutable(now) || now - deadline >= 0) {
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

    /** Seconds a client should wait before trying again when no replica was ready. */
    long retryAfterSeconds() {
        return Math.max(1, config.healthInterval().toSeconds() + 1);
    }
}
