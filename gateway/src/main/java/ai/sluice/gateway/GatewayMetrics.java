package ai.sluice.gateway;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The gateway's own Prometheus metrics: per-replica state, in-flight and ejections; retries, failovers (a request
 * answered by another replica than the first one tried), resumes (a dropped stream continued elsewhere), held
 * requests (what an autoscaler scales on from zero) and the gateway's added latency.
 */
public final class GatewayMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final AtomicInteger held = new AtomicInteger();
    private final Counter requests;
    private final Counter retries;
    private final Counter failovers;
    private final Counter resumes;
    private final Counter wireResumes;
    private final Histogram addedLatency;
    private final Counter poolRequests;
    private final Counter tokens;
    private final Counter cost;
    private final Counter rateLimited;

    public GatewayMetrics(Supplier<List<Replica>> replicas) {
        this(replicas, List::of);
    }

    GatewayMetrics(Supplier<List<Replica>> replicas, Supplier<List<Pool>> pools) {
        requests = Counter.builder().name("sluice_gateway_requests").help("Requests answered, by status code.")
                .labelNames("status").register(registry);
        retries = Counter.builder().name("sluice_gateway_retries")
                .help("Attempts on another replica after a failure before the first byte.").register(registry);
        failovers = Counter.builder().name("sluice_gateway_failovers")
                .help("Requests answered by another replica than the first one tried.").register(registry);
        resumes = Counter.builder().name("sluice_gateway_resumes")
                .help("Streams a replica dropped that another replica continued.").register(registry);
        wireResumes = Counter.builder().name("sluice_gateway_resumes_from_token_ids")
                .help("Of those, streams continued after the token ids already sent (Sluice's resume wire; none "
                        + "when the drop came before the first token), not by replaying the request.").register(registry);
        addedLatency = Histogram.builder().name("sluice_gateway_added_latency_seconds")
                .help("Time the gateway added before the response started (routing, holding, retries, proxying).")
                .classicUpperBounds(0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .register(registry);
        GaugeWithCallback.builder().name("sluice_gateway_held_requests")
                .help("Requests waiting for a ready replica (scale up when above 0).")
                .callback(cb -> cb.call(held.get())).register(registry);
        GaugeWithCallback.builder().name("sluice_gateway_replica_up")
                .help("1 when the replica takes requests (healthy, not ejected, breaker closed).")
                .labelNames("replica", "state")
                .callback(cb -> {
                    long now = System.nanoTime();
                    for (Replica r : replicas.get()) {
                        Replica.State s = r.state(now);
                        cb.call(s == Replica.State.UP ? 1 : 0, r.name(), s.name().toLowerCase(java.util.Locale.ROOT));
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("sluice_gateway_replica_in_flight")
                .help("Requests the gateway has in flight on the replica.").labelNames("replica")
                .callback(cb -> replicas.get().forEach(r -> cb.call(r.inFlight(), r.name()))).register(registry);
        CounterWithCallback.builder().name("sluice_gateway_replica_ejections")
                .help("Times the replica was ejected (failed health checks, refused connections, failures in a row).")
                .labelNames("replica")
                .callback(cb -> replicas.get().forEach(r -> cb.call(r.ejections(), r.name()))).register(registry);
        // pools and keys: label values are pool names and key names from the config, never key material
        poolRequests = Counter.builder().name("sluice_gateway_pool_requests")
                .help("Requests sent to a pool, by why: first_choice, spill (the pools before it were over their"
                        + " waiting threshold) or failover (they could not serve).")
                .labelNames("pool", "reason").register(registry);
        tokens = Counter.builder().name("sluice_gateway_tokens")
                .help("Tokens in answers (from their usage), by pool, key name and kind (input, output).")
                .labelNames("pool", "key", "kind").register(registry);
        cost = Counter.builder().name("sluice_gateway_cost_dollars")
                .help("What the answers' tokens cost at their pool's prices, by pool and key name.")
                .labelNames("pool", "key").register(registry);
        rateLimited = Counter.builder().name("sluice_gateway_rate_limited")
                .help("Requests refused with 429 by a key's limit (requests_per_second, tokens_per_minute,"
                        + " daily_tokens, daily_dollars).")
                .labelNames("key", "limit").register(registry);
        GaugeWithCallback.builder().name("sluice_gateway_pool_waiting")
                .help("Requests waiting in the pool's replicas' queues (summed vllm:num_requests_waiting).")
                .labelNames("pool")
                .callback(cb -> pools.get().forEach(p -> cb.call(p.waiting(), p.name()))).register(registry);
        GaugeWithCallback.builder().name("sluice_gateway_pool_spilling")
                .help("1 while the pool's new traffic goes to the next allowed pool.")
                .labelNames("pool")
                .callback(cb -> pools.get().forEach(p -> cb.call(p.wasSpilling() ? 1 : 0, p.name()))).register(registry);
    }

    /** A request went to {@code pool} for {@code reason} (first_choice, spill, failover). */
    void routed(String pool, String reason) {
        poolRequests.labelValues(pool, reason).inc();
    }

    /** An answer's usage, and its cost at the pool's prices. */
    void used(String pool, String key, long input, long output, double dollars) {
        tokens.labelValues(pool, key, "input").inc(input);
        tokens.labelValues(pool, key, "output").inc(output);
        cost.labelValues(pool, key).inc(dollars);
    }

    void rateLimited(String key, String limit) {
        rateLimited.labelValues(key, limit).inc();
    }

    public void answered(int status) {
        requests.labelValues(Integer.toString(status)).inc();
    }

    public void retried() {
        retries.inc();
    }

    public void failedOver() {
        failovers.inc();
    }

    public void resumed() {
        resumes.inc();
    }

    /** A resume by the token-id wire (also counted by {@link #resumed()}). */
    public void resumedFromTokenIds() {
        wireResumes.inc();
    }

    public void added(long nanos) {
        addedLatency.observe(nanos / 1e9);
    }

    public AtomicInteger held() {
        return held;
    }

    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    public String contentType() {
        return writer.getContentType();
    }
}
