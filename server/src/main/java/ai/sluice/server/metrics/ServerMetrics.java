package ai.sluice.server.metrics;

import ai.sluice.server.backend.BackendStats;
import ai.sluice.server.backend.InferenceBackend;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus metrics under vLLM's names, so dashboards, autoscalers and gateways built for vLLM
 * work unchanged. Engine gauges and counters are read from {@link BackendStats} at scrape time;
 * latency histograms are observed per request by the server; JVM and process metrics are added.
 */
public final class ServerMetrics {
    private static final double[] TTFT_BOUNDS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    private static final double[] ITL_BOUNDS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    private static final double[] REQUEST_BOUNDS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0,
            30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};
    private static final String MODEL = "model_name";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final String model;
    private final Histogram ttft;
    private final Histogram itl;
    private final Histogram e2e;
    private final Histogram queueTime;
    private final Counter success;

    public ServerMetrics(String modelName, InferenceBackend backend) {
        this.model = modelName;
        gauge("vllm:num_requests_waiting", "Requests waiting to be scheduled.", backend, BackendStats::waiting);
        gauge("vllm:num_requests_running", "Requests in the running batch.", backend, BackendStats::running);
        gauge("vllm:kv_cache_usage_perc", "Fraction of KV-cache blocks in use (1 = full).", backend,
                BackendStats::kvCacheUsage);
        counter("vllm:num_preemptions", "Preemptions (a sequence's KV blocks freed to make room).", backend,
                BackendStats::preemptions);
        counter("vllm:prefix_cache_queries", "Prompt tokens looked up in the prefix cache.", backend,
                BackendStats::prefixCacheQueries);
        counter("vllm:prefix_cache_hits", "Prompt tokens found in the prefix cache.", backend,
                BackendStats::prefixCacheHits);
        counter("vllm:prompt_tokens", "Prompt tokens processed.", backend, BackendStats::promptTokens);
        counter("vllm:generation_tokens", "Tokens generated.", backend, BackendStats::generationTokens);
        ttft = histogram("vllm:time_to_first_token_seconds", "Time from arrival to the first token.", TTFT_BOUNDS);
        itl = histogram("vllm:inter_token_latency_seconds", "Time between consecutive output tokens.", ITL_BOUNDS);
        e2e = histogram("vllm:e2e_request_latency_seconds", "Time from arrival to the last token.", REQUEST_BOUNDS);
        queueTime = histogram("vllm:request_queue_time_seconds",
                "Time a request waited in the queue before its prefill started.", REQUEST_BOUNDS);
        success = Counter.builder().name("vllm:request_success").help("Finished requests, by finish reason.")
                .labelNames(MODEL, "finished_reason").register(registry);
        // Create every series up front, so dashboards see zeros rather than nothing before traffic.
        for (Histogram h : new Histogram[] {ttft, itl, e2e, queueTime}) {
            h.labelValues(model);
        }
        for (String reason : new String[] {"stop", "length", "abort"}) {
            success.labelValues(model, reason);
        }
        JvmMetrics.builder().register(registry);
    }

    public void observeTimeToFirstToken(double seconds) {
        ttft.labelValues(model).observe(seconds);
    }

    public void observeInterTokenLatency(double seconds) {
        itl.labelValues(model).observe(seconds);
    }

    public void observeEndToEnd(double seconds) {
        e2e.labelValues(model).observe(seconds);
    }

    public void observeQueueTime(double seconds) {
        queueTime.labelValues(model).observe(seconds);
    }

    /** One finished sequence: {@code reason} is "stop", "length" or "abort" (as vLLM labels them). */
    public void countFinished(String reason) {
        success.labelValues(model, reason).inc();
    }

    /** Writes the Prometheus text format (0.0.4). */
    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    public String contentType() {
        return writer.getContentType();
    }

    private void gauge(String name, String help, InferenceBackend backend, ToDoubleFunction<BackendStats> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(MODEL)
                .callback(cb -> cb.call(value.applyAsDouble(backend.stats()), model)).register(registry);
    }

    private void counter(String name, String help, InferenceBackend backend, ToDoubleFunction<BackendStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(MODEL)
                .callback(cb -> cb.call(value.applyAsDouble(backend.stats()), model)).register(registry);
    }

    private Histogram histogram(String name, String help, double[] bounds) {
        return Histogram.builder().name(name).help(help).labelNames(MODEL).classicOnly().classicUpperBounds(bounds)
                .register(registry);
    }
}
