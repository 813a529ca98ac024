package ai.sluice.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusTextTest {

    private static final String VLLM = """
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{engine="0",model_name="llama"} 3.0
            vllm:num_requests_waiting{engine="1",model_name="llama"} 2.0
            # TYPE vllm:request_success_total counter
            vllm:request_success_total{finished_reason="stop",model_name="llama"} 10.0
            vllm:request_success_total{finished_reason="length",model_name="llama"} 5.0
            vllm:generation_tokens_total{model_name="llama"} 1.2345e+04 1700000000000
            http_requests_total{path="/v1/x,y",note="a \\"quoted\\" \\\\ value\\n"} 7
            process_start_time_seconds 1.7e9
            bad_line{unterminated="x 1
            weird_value NotANumber
            vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="llama"} +Inf
            """;

    @Test
    void sumsSamplesOverLabelSets() {
        List<PrometheusText.Sample> samples = PrometheusText.parse(VLLM);
        assertThat(PrometheusText.sum(samples, "vllm:num_requests_waiting")).hasValue(5.0);
        assertThat(PrometheusText.sum(samples, "vllm:request_success_total")).hasValue(15.0);
        assertThat(PrometheusText.sum(samples, "vllm:generation_tokens_total")).hasValue(12345.0);
        assertThat(PrometheusText.sum(samples, "process_start_time_seconds")).hasValue(1.7e9);
        assertThat(PrometheusText.sum(samples, "vllm:absent")).isEmpty();
    }

    @Test
    void readsEscapedLabelValuesAndSpecialNumbersAndSkipsMalformedLines() {
        List<PrometheusText.Sample> samples = PrometheusText.parse(VLLM);
        PrometheusText.Sample http = samples.stream().filter(s -> s.name().equals("http_requests_total"))
                .findFirst().orElseThrow();
        assertThat(http.labels()).isEqualTo(Map.of("path", "/v1/x,y", "note", "a \"quoted\" \\ value\n"));
        assertThat(http.value()).isEqualTo(7.0);
        assertThat(PrometheusText.sum(samples, "vllm:time_to_first_token_seconds_bucket"))
                .hasValue(Double.POSITIVE_INFINITY);
        assertThat(samples).extracting(PrometheusText.Sample::name).doesNotContain("bad_line", "weird_value");
        assertThat(samples).hasSize(8);
    }
}
