package ai.sluice.server.metrics;

import ai.sluice.server.serving.ServingStats;
import ai.sluice.server.serving.ServedModel;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Prometheus metrics under vLLM's names, so dashboards, autoscalers and gateways built for vLLM
 * work unchanged. Everything engine-side is read from {@link ServingStats} at scrape time (nothing is
 * counted twice); JVM and process metrics are added.
 */
public final class ServerMetrics {
    private static final String MODEL = "model_name";
    private static final List<String> REASONS = List.of("stop", "length", "abort", "error");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final String model;
    private final ServedModel servedModel;

    public ServerMetrics(String modelName, ServedModel servedModel) {
        this.model = modelName;
        this.servedModel = servedModel;
        gauge("vllm:num_requests_waiting", "Requests waiting to be scheduled.", ServingStats::waiting);
        gauge("vllm:num_requests_running", "Requests in the running batch.", ServingStats::running);
        gauge("vllm:kv_cache_usage_perc", "Fraction of KV-cache blocks in use (1 = full).", ServingStats::kvCacheUsage);
        gauge("vllm:gpu_cache_usage_perc", "Older name of vllm:kv_cache_usage_perc (dashboards still read it).",
                ServingStats::kvCacheUsage);
        Map<String, String> cache = servedModel.cacheConfig();
        if (!cache.isEmpty()) {
            List<String> names = cache.keySet().stream().sorted().toList();
            String[] values = names.stream().map(cache::get).toArray(String[]::new);
            GaugeWithCallback.builder().name("vllm:cache_config_info").help("Information of the KV cache configuration.")
                    .labelNames(names.toArray(String[]::new))
                    .callback(cb -> cb.call(1, values)).register(registry);
        }
        counter("vllm:num_preemptions", "Preemptions (a sequence's KV blocks freed to make room).",
                ServingStats::preemptions);
        counter("vllm:prefix_cache_queries", "Prompt tokens looked up in the prefix cache.",
                ServingStats::prefixCacheQueries);
        counter("vllm:prefix_cache_hits", "Prompt tokens found in the prefix cache.", ServingStats::prefixCacheHits);
        counter("vllm:prompt_tokens", "Prompt tokens processed.", ServingStats::promptTokens);
        counter("vllm:generation_tokens", "Tokens generated.", ServingStats::generationTokens);
        CounterWithCallback.builder().name("vllm:request_success").help("Finished requests, by finish reason.")
                .labelNames(MODEL, "finished_reason")
                .callback(cb -> {
                    Map<String, Long> byReason = servedModel.stats().finishedByReason();
                    for (String reason : REASONS) {
                        cb.call(byReason.getOrDefault(reason, 0L), model, reason);
                    }
                }).register(registry);
        histogram("vllm:time_to_first_token_seconds", "Time from arrival to the first token.",
                ServingStats::timeToFirstToken);
        histogram("vllm:inter_token_latency_seconds", "Time between consecutive output tokens.",
                ServingStats::interTokenLatency);
        histogram("vllm:time_per_output_token_seconds", "Older name of vllm:inter_token_latency_seconds.",
                ServingStats::interTokenLatency);
        histogram("vllm:iteration_tokens_total", "Tokens computed per engine step.", ServingStats::iterationTokens);
        histogram("vllm:request_prompt_tokens", "Prompt tokens per finished sequence.", ServingStats::requestPromptTokens);
        histogram("vllm:request_generation_tokens", "Generated tokens per finished sequence.",
                ServingStats::requestGenerationTokens);
        histogram("vllm:request_prefill_time_seconds", "Time from first scheduled to the first token.",
                ServingStats::requestPrefillTime);
        histogram("vllm:request_decode_time_seconds", "Time from the first token to the end of the sequence.",
                ServingStats::requestDecodeTime);
        histogram("vllm:e2e_request_latency_seconds", "Time from arrival to the end of the request.",
                ServingStats::e2eRequestLatency);
        histogram("vllm:request_queue_time_seconds", "Time from arrival until the request was first scheduled.",
                ServingStats::requestQueueTime);
        JvmMetrics.builder().register(registry);
    }

    /** Writes the Prometheus text format (0.0.4). */
    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    public String contentType() {
        return writer.getContentType();
    }

    private void gauge(String name, String help, ToDoubleFunction<ServingStats> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(MODEL)
                .callback(cb -> cb.call(value.applyAsDouble(servedModel.stats()), model)).register(registry);
    }

    private void counter(String name, String help, ToDoubleFunction<ServingStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(MODEL)
                .callback(cb -> cb.call(value.applyAsDouble(servedModel.stats()), model)).register(registry);
    }

    private void histogram(String name, String help, Function<ServingStats, ServingStats.HistogramData> value) {
        registry.register(() -> {
            ServingStats.HistogramData h = value.apply(servedModel.stats());
            double[] bounds = Arrays.copyOf(h.upperBounds(), h.upperBounds().length + 1);
            bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
            return HistogramSnapshot.builder().name(name).help(help)
                    .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                            .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, h.counts()))
                            .sum(h.sum())
                            .labels(Labels.of(MODEL, model))
                            .build())
                    .build();
        });
    }
}
