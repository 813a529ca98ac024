package ai.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * What the server's own {@code /metrics} counted during one measured run: counter deltas and histogram means
 * between a scrape just before and one just after, in vLLM's names (llama-server's where it has its own). Shown
 * beside the client's figures in the report, so a gap between the two (queueing in a proxy, a server that
 * counts differently) is visible. Rows the server does not expose are left out.
 *
 * @param label which run the figures belong to ("bench", or a sweep step's rate)
 */
public record ServerMetrics(String label, List<Row> rows) {

    /** One figure: what it is, its value as text, and the series it came from. */
    public record Row(String name, String value, String series) {
    }

    private record Counter(String name, String series) {
    }

    private static final List<Counter> COUNTERS = List.of(
            new Counter("requests finished", "vllm:request_success_total"),
            new Counter("prompt tokens", "vllm:prompt_tokens_total"),
            new Counter("generated tokens", "vllm:generation_tokens_total"),
            new Counter("preemptions", "vllm:num_preemptions_total"),
            new Counter("prompt tokens", "llamacpp:prompt_tokens_total"),
            new Counter("generated tokens", "llamacpp:tokens_predicted_total"));

    private static final List<Counter> MEANS = List.of(
            new Counter("mean TTFT (ms)", "vllm:time_to_first_token_seconds"),
            new Counter("mean queue time (ms)", "vllm:request_queue_time_seconds"),
            new Counter("mean prefill time (ms)", "vllm:request_prefill_time_seconds"),
            new Counter("mean inter-token latency (ms)", "vllm:inter_token_latency_seconds"),
            new Counter("mean E2E latency (ms)", "vllm:e2e_request_latency_seconds"));

    /** The figures between two scrapes; {@code peakWaiting} is NaN when no scrape ran during the run. */
    public static ServerMetrics between(String label, List<PrometheusText.Sample> before,
                                        List<PrometheusText.Sample> after, double peakWaiting) {
        List<Row> rows = new ArrayList<>();
        for (Counter c : COUNTERS) {
            delta(before, after, c.series).ifPresent(d -> rows.add(new Row(c.name, format(d, 0), c.series)));
        }
        for (Counter h : MEANS) {
            OptionalDouble sum = delta(before, after, h.series + "_sum");
            OptionalDouble count = delta(before, after, h.series + "_count");
            if (sum.isPresent() && count.isPresent() && count.getAsDouble() > 0) {
                rows.add(new Row(h.name, format(sum.getAsDouble() / count.getAsDouble() * 1000, 2), h.series));
            }
        }
        OptionalDouble hits = delta(before, after, "vllm:prefix_cache_hits_total");
        OptionalDouble queries = delta(before, after, "vllm:prefix_cache_queries_total");
        if (hits.isPresent() && queries.isPresent() && queries.getAsDouble() > 0) {
            rows.add(new Row("prefix cache hit rate (%)", format(hits.getAsDouble() / queries.getAsDouble() * 100, 1),
                    "vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total"));
        }
        if (!Double.isNaN(peakWaiting)) {
            rows.add(new Row("peak requests waiting", format(peakWaiting, 0), QueueWatcher.WAITING));
        }
        return new ServerMetrics(label, List.copyOf(rows));
    }

    private static OptionalDouble delta(List<PrometheusText.Sample> before, List<PrometheusText.Sample> after,
                                        String series) {
        OptionalDouble end = PrometheusText.sum(after, series);
        if (end.isEmpty()) {
            return end;
        }
        // A counter nothing had touched before the run may be absent from the first scrape: it was zero.
        return OptionalDouble.of(end.getAsDouble() - PrometheusText.sum(before, series).orElse(0));
    }

    private static String format(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
