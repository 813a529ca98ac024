package ai.sluice.server.metrics;

import ai.sluice.server.HttpTestClient;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.StoriesEngine;
import ai.sluice.server.http.AccessLog;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every series that vLLM's published Grafana dashboard (examples/online_serving/prometheus_grafana)
 * and the usual autoscaling and gateway queries read is on /metrics, with data after one request.
 */
class DashboardMetricsTest {
    /** Histograms a dashboard reads as _bucket, _sum and _count. */
    private static final List<String> HISTOGRAMS = List.of("vllm:e2e_request_latency_seconds",
            "vllm:time_to_first_token_seconds", "vllm:time_per_output_token_seconds", "vllm:inter_token_latency_seconds",
            "vllm:request_prompt_tokens", "vllm:request_generation_tokens", "vllm:request_queue_time_seconds",
            "vllm:request_prefill_time_seconds", "vllm:request_decode_time_seconds", "vllm:iteration_tokens_total");
    private static final List<String> SERIES = List.of("vllm:prompt_tokens_total", "vllm:generation_tokens_total",
            "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:gpu_cache_usage_perc",
            "vllm:kv_cache_usage_perc", "vllm:request_success_total", "vllm:num_preemptions_total",
            "vllm:cache_config_info");

    @Test
    void everySeriesTheVllmDashboardReadsIsServedWithData() {
        try (StoriesEngine servedModel = new StoriesEngine(4);
             SluiceServer server = SluiceServer.start(ServerConfig.defaults("stories", servedModel.contextLength())
                     .withPort(0), servedModel, new AccessLog(line -> { }))) {
            HttpTestClient client = new HttpTestClient(server.port(), null);
            assertThat(client.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":5,"
                    + "\"ignore_eos\":true}").status()).isEqualTo(200);
            String text = client.get("/metrics").body();
            for (String series : SERIES) {
                assertThat(text).as(series).containsPattern("(?m)^" + Pattern.quote(series) + "[{ ]");
            }
            for (String h : HISTOGRAMS) {
                assertThat(count(text, h)).as(h + "_count after one request").isPositive();
                assertThat(text).as(h).containsPattern("(?m)^" + Pattern.quote(h) + "_bucket\\{")
                        .containsPattern("(?m)^" + Pattern.quote(h) + "_sum\\{");
            }
            assertThat(count(text, "vllm:request_generation_tokens")).isEqualTo(1);
            assertThat(sum(text, "vllm:request_generation_tokens")).isEqualTo(5);
            assertThat(sum(text, "vllm:request_prompt_tokens")).isPositive();
            assertThat(text).containsPattern("vllm:cache_config_info\\{[^}]*block_size=\"16\"[^}]*cache_dtype=\"f32\"");
        }
    }

    private static double count(String text, String histogram) {
        return value(text, histogram + "_count");
    }

    private static double sum(String text, String histogram) {
        return value(text, histogram + "_sum");
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "\\{[^}]*} (\\S+)$").matcher(text);
        assertThat(m.find()).as(series + " in:\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
