package ai.sluice.cli;

import ai.sluice.bench.Bench;
import ai.sluice.bench.BenchConfig;
import ai.sluice.bench.BenchResult;
import ai.sluice.bench.FakeOpenAiServer;
import ai.sluice.bench.LoadPattern;
import ai.sluice.bench.PrometheusText;
import ai.sluice.bench.PromptSpec;
import ai.sluice.bench.Reports;
import ai.sluice.bench.Slo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7's end-to-end check: a short bench against a real {@code sluice serve} process on stories260K, whose
 * request and token counts must equal what the server's own {@code /metrics} counted.
 */
class BenchAgainstServeTest {
    private static final int REQUESTS = 8;
    private static final int OUTPUT_LEN = 8;

    @Test
    void benchCountsMatchTheServersOwnMetrics(@TempDir Path dir) throws Exception {
        try (ServeProcess serve = ServeProcess.start(dir)) {
            assertBenchMatchesServerMetrics(serve.base(), dir);
        }
    }

    /**
     * Issue 22, against a real serve with an API key: bench without {@code --api-key} says so in one line before
     * sending anything; with it, 128-token synthetic prompts arrive at exactly 128 tokens by the server's own usage
     * count (they used to end 1-4 tokens short: 4577 for 36 x 128), and the count is called exact only then.
     */
    @Test
    void missingApiKeyIsOneLineAndPromptsArriveAtExactlyTheirLength(@TempDir Path dir) throws Exception {
        try (ServeProcess serve = ServeProcess.start(dir, "--api-key", "sekret")) {
            CliRun noKey = CliRun.of("bench", "--url", serve.base().toString(), "--requests", "4", "--concurrency",
                    "2", "--input-len", "16", "--output-len", "2", "--out", dir.resolve("nokey").toString(), "--quiet");
            assertThat(noKey.exitCode()).isEqualTo(1);
            assertThat(noKey.err().strip()).isEqualTo("sluice: error: 401 from " + serve.base()
                    + "/v1/models: the server wants an API key; give --api-key KEY");

            int requests = 12;
            BenchConfig config = new BenchConfig(serve.base(), null, requests, new LoadPattern.ClosedLoop(4), List.of(),
                    new PromptSpec.Synthetic(128, 2), Slo.none(), 0, 3, "sekret", Duration.ofSeconds(60),
                    Duration.ofMillis(250), dir.resolve("out"), false);
            Bench.Outcome outcome = new Bench(config, new PrintStream(System.err, true, StandardCharsets.UTF_8)).run();
            BenchResult r = outcome.single();
            assertThat(r.failed()).as("errors: %s", r.errors()).isZero();
            assertThat(r.tokensFromUsage()).isTrue();
            assertThat(r.totalInputTokens()).isEqualTo(requests * 128L);
            assertThat(outcome.info().tokenCounting()).startsWith("exact, from the server's /tokenize");
            assertThat(outcome.info().promptLengths()).startsWith("min 128, mean 128.0, max 128 tokens");
        }
    }

    /** The same comparison against the test-fixture server, so the check itself is proven before serve exists. */
    @Test
    void comparisonHoldsAgainstTheFixtureServer(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(2, 2, 1, true)) {
            assertBenchMatchesServerMetrics(server.url(), dir);
        }
    }

    /** A short closed-loop bench; its request and output-token counts must equal the server's counter deltas. */
    private static void assertBenchMatchesServerMetrics(URI url, Path dir) throws Exception {
        double successBefore = metric(url, "vllm:request_success_total");
        double tokensBefore = metric(url, "vllm:generation_tokens_total");

        BenchConfig config = new BenchConfig(url, null, REQUESTS, new LoadPattern.ClosedLoop(2), List.of(),
                new PromptSpec.Synthetic(16, OUTPUT_LEN), Slo.none(), 0, 0, null, Duration.ofSeconds(60),
                Duration.ofMillis(250), dir.resolve("out"), false);
        BenchResult r = new Bench(config, new PrintStream(System.err, true, StandardCharsets.UTF_8)).run().single();

        assertThat(r.failed()).as("errors: %s", r.errors()).isZero();
        assertThat(r.completed()).isEqualTo(REQUESTS);
        // ignore_eos asks for exactly OUTPUT_LEN tokens; a server without it may stop earlier, never later.
        assertThat(r.totalOutputTokens()).isPositive().isLessThanOrEqualTo((long) REQUESTS * OUTPUT_LEN);
        assertThat(settled(url, "vllm:request_success_total", successBefore + r.completed()) - successBefore)
                .isEqualTo(r.completed());
        assertThat(settled(url, "vllm:generation_tokens_total", tokensBefore + r.totalOutputTokens()) - tokensBefore)
                .isEqualTo(r.totalOutputTokens());
        assertThat(dir.resolve("out").resolve(Reports.HTML)).exists();
    }

    /**
     * The counter's value once it reaches {@code expected}, or its last value after 5 s: a server may update its
     * counters a moment after the stream's [DONE] reached the client.
     */
    private static double settled(URI url, String name, double expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        double v = metric(url, name);
        while (v != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
            v = metric(url, name);
        }
        return v;
    }

    private static double metric(URI url, String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(url.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET /metrics").isEqualTo(200);
        OptionalDouble v = PrometheusText.sum(PrometheusText.parse(r.body()), name);
        // A counter no request has touched yet may be absent: that is zero.
        return v.orElse(0);
    }
}
