package ai.sluice.server.metrics;

import ai.sluice.server.Eventually;
import ai.sluice.server.HttpTestClient;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.TestServers;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.server.http.AccessLog;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's real Prometheus server scrapes /metrics; the test then queries Prometheus for the vLLM
 * series. Skipped with a message when the {@code prometheus} binary is not installed
 * ({@code apt-get install -y prometheus}).
 */
class PrometheusScrapeTest {

    @Test
    void realPrometheusScrapesTheVllmMetrics(@TempDir Path dir) throws Exception {
        Path binary = Path.of("/usr/bin/prometheus");
        Assumptions.assumeTrue(Files.isExecutable(binary),
                "prometheus is not installed (apt-get install -y prometheus): skipping the scrape test");
        ServedModel servedModel = TestServers.servedModel();
        SluiceServer server = SluiceServer.start(TestServers.config(servedModel), servedModel, new AccessLog(line -> { }));
        int promPort = freePort();
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: sluice
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(server.port()));
        Process prom = new ProcessBuilder(binary.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            HttpTestClient sluice = new HttpTestClient(server.port(), null);
            assertThat(sluice.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":3}").status()).isEqualTo(200);
            HttpTestClient promApi = new HttpTestClient(promPort, null);
            Eventually.await("Prometheus has scraped generated tokens",
                    () -> value(promApi, "vllm:generation_tokens_total") >= 3);
            assertThat(value(promApi, "up{job=\"sluice\"}")).isEqualTo(1);
            assertThat(value(promApi, "vllm:num_requests_running")).isZero();
            assertThat(value(promApi, "vllm:request_success_total{finished_reason=\"length\"}")).isEqualTo(1);
            assertThat(value(promApi, "count(vllm:time_to_first_token_seconds_bucket)")).isPositive();
            assertThat(value(promApi, "count(vllm:kv_cache_usage_perc)")).isEqualTo(1);
            assertThat(value(promApi, "count(jvm_memory_used_bytes)")).isPositive();
            assertThat(value(promApi, "count(process_cpu_seconds_total)")).isEqualTo(1);
        } finally {
            prom.destroy();
            if (!prom.waitFor(10, TimeUnit.SECONDS)) {
                prom.destroyForcibly();
            }
            server.stop();
            servedModel.close();
        }
    }

    /** The first sample of an instant query, or -1 while there is none (or Prometheus is not up yet). */
    private static double value(HttpTestClient prom, String query) {
        try {
            HttpTestClient.Reply r = prom.get("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            JsonNode result = r.json().at("/data/result");
            return result.isEmpty() ? -1 : result.get(0).at("/value/1").asDouble();
        } catch (AssertionError notUpYet) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
