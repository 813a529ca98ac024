package ai.sluice.bench;

import ai.sluice.wire.RequestError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole client against a real HTTP server ({@link FakeOpenAiServer}) that streams a known timeline. */
class BenchEndToEndTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private BenchConfig config(URI url, int requests, LoadPattern load, List<Double> sweep, PromptSpec prompts,
                               Slo slo, int warmup, Duration timeout, Path out) {
        return new BenchConfig(url, null, requests, load, sweep, prompts, slo, warmup, 0, null, timeout,
                Duration.ofMillis(20), out, false);
    }

    private Bench.Outcome run(BenchConfig config) {
        return new Bench(config, new PrintStream(log, true, StandardCharsets.UTF_8)).run();
    }

    @Test
    void closedLoopRunMatchesWhatTheServerCounted(@TempDir Path out) throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(4, 30, 5, true)) {
            Bench.Outcome outcome = run(config(server.url(), 12, new LoadPattern.ClosedLoop(3), List.of(),
                    new PromptSpec.Synthetic(16, 8), Slo.none(), 2, Duration.ofSeconds(30), out));
            BenchResult r = outcome.single();

            assertThat(outcome.info().model()).isEqualTo(FakeOpenAiServer.MODEL);
            assertThat(outcome.info().tokenCounting()).contains("/tokenize");
            assertThat(r.completed()).isEqualTo(12);
            assertThat(r.failed()).isZero();
            assertThat(r.tokensFromUsage()).isTrue();
            assertThat(r.totalOutputTokens()).isEqualTo(12 * 8);
            // The server counts words + BOS; 15 words fit 16 tokens exactly, and usage reports the same.
            assertThat(r.totalInputTokens()).isEqualTo(12 * 16);
            assertThat(r.itlMs().count()).isEqualTo(12 * 7);
            assertThat(r.tpotMs().count()).isEqualTo(12);
            // The server waits 30 ms before the first chunk: no TTFT can be shorter.
            assertThat(r.ttftMs().min()).isGreaterThanOrEqualTo(30.0);
            assertThat(r.e2elMs().min()).isGreaterThan(r.ttftMs().min());
            // The server's own counters saw the measured requests plus the two warm-ups.
            assertThat(server.successes()).isEqualTo(r.completed() + 2);
            assertThat(server.generatedTokens()).isEqualTo(r.totalOutputTokens() + 2 * 8);

            JsonNode json = new ObjectMapper().readTree(out.resolve(Reports.JSON).toFile());
            assertThat(json.path("result").path("completed").asInt()).isEqualTo(12);
            assertThat(json.path("result").path("perRequest")).hasSize(12);
            assertThat(json.path("config").path("model").asText()).isEqualTo(FakeOpenAiServer.MODEL);
            String html = Files.readString(out.resolve(Reports.HTML));
            assertThat(html).contains("TTFT CDF", "TPOT CDF", "End-to-end latency CDF", "Output throughput over time");
            assertThat(html.split("<svg ", -1)).hasSize(5);
        }
    }

    @Test
    void openLoopCountsContentChunksWhenTheServerSendsNoUsage(@TempDir Path out) throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(8, 5, 1, false)) {
            BenchResult r = run(config(server.url(), 6, new LoadPattern.OpenLoop(50, 1), List.of(),
                    new PromptSpec.Synthetic(8, 5), Slo.none(), 0, Duration.ofSeconds(30), out)).single();
            assertThat(r.completed()).isEqualTo(6);
            assertThat(r.tokensFromUsage()).isFalse();
            assertThat(r.totalOutputTokens()).isEqualTo(30);
            assertThat(r.totalInputTokens()).isEqualTo(6 * 8);
        }
    }

    @Test
    void failuresAreCountedByKind(@TempDir Path dir) throws Exception {
        Path dataset = dir.resolve("prompts.jsonl");
        Files.writeString(dataset, """
                {"prompt": "a normal prompt"}
                {"prompt": "please FAIL503 now"}
                {"prompt": "please BREAK the stream"}
                {"prompt": "please STALL forever"}
                """);
        try (FakeOpenAiServer server = new FakeOpenAiServer(4, 1, 1, true)) {
            BenchResult r = run(config(server.url(), 4, new LoadPattern.ClosedLoop(4), List.of(),
                    new PromptSpec.Dataset(dataset, 4), Slo.none(), 0, Duration.ofMillis(1500),
                    dir.resolve("out"))).single();
            assertThat(r.completed()).isEqualTo(1);
            assertThat(r.errors()).containsEntry("http_503", 1).containsEntry("stream_error", 1)
                    .containsEntry("timeout", 1).hasSize(3);
            assertThat(r.perRequest()).extracting(BenchResult.RequestSummary::error)
                    .anySatisfy(e -> assertThat(e).isEqualTo("HTTP 503: overloaded"))
                    .anySatisfy(e -> assertThat(e).contains("ended before data: [DONE]"));
        }
    }

    @Test
    void unreachableServerIsAConnectionError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (CompletionClient client = new CompletionClient(URI.create("http://127.0.0.1:" + port), null,
                Duration.ofSeconds(5))) {
            RequestRecord r = client.complete(0, "m", new Prompt("hi", 1, 4), System.nanoTime(), ChunkListener.NONE);
            assertThat(r.error()).isInstanceOf(RequestError.Connection.class);
            assertThat(client.firstModel()).isEmpty();
            assertThat(client.tokenize("m", "hi")).isEmpty();
        }
    }

    @Test
    void sweepFindsTheHighestGoodRateAndTheQueueDepthWhereTtftBreaks(@TempDir Path out) throws Exception {
        // One slot, ~50 ms per request: about 20 requests/s of capacity. The margins are wide on purpose (a
        // 1 s SLO against ~50 ms at light load, ~2 s at the end of the overload step), so a stalled machine only
        // makes slow requests slower and cannot flip the outcome.
        try (FakeOpenAiServer server = new FakeOpenAiServer(1, 45, 1, true)) {
            Slo slo = new Slo(Duration.ofSeconds(1), null, 0.8);
            Bench.Outcome outcome = run(config(server.url(), 40, null, List.of(10.0, 200.0),
                    new PromptSpec.Synthetic(8, 4), slo, 2, Duration.ofSeconds(30), out));
            SweepResult sweep = outcome.sweep();

            assertThat(sweep.steps()).hasSize(2);
            assertThat(sweep.steps().get(0).meetsSlo()).isTrue();
            assertThat(sweep.steps().get(1).meetsSlo()).isFalse();
            assertThat(sweep.bestRate()).isEqualTo(10.0);
            // At 200/s the queue builds up; the overload step saw requests waiting.
            assertThat(sweep.steps().get(1).maxQueue()).isGreaterThanOrEqualTo(3.0);
            HpaAdvice hpa = sweep.hpa();
            assertThat(hpa.breakDepth()).isNotNull().isGreaterThanOrEqualTo(1);
            assertThat(hpa.target()).isNotNull().isLessThan(hpa.breakDepth());
            assertThat(hpa.message()).contains("suggested HPA target");

            String html = Files.readString(out.resolve(Reports.HTML));
            assertThat(html).contains("TTFT against load", "TTFT SLO attainment by queue depth at arrival");
            assertThat(SummaryTable.render(outcome)).contains("Highest rate meeting the SLOs: 10.00 req/s");
        }
    }

    @Test
    void aServerWantingAnApiKeyIsOneLineUpFrontAndNoLoadIsSent(@TempDir Path out) throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(2, 1, 1, true).requireApiKey("sekret")) {
            for (String model : new String[] {null, FakeOpenAiServer.MODEL}) {
                BenchConfig config = new BenchConfig(server.url(), model, 4, new LoadPattern.ClosedLoop(2), List.of(),
                        new PromptSpec.Synthetic(8, 4), Slo.none(), 0, 0, null, Duration.ofSeconds(10),
                        Duration.ofMillis(20), out, false);
                assertThatThrownBy(() -> run(config)).isInstanceOf(BenchException.class)
                        .hasMessage("401 from " + server.url() + "/v1/models: the server wants an API key; "
                                + "give --api-key KEY");
            }
            BenchConfig wrongKey = new BenchConfig(server.url(), null, 4, new LoadPattern.ClosedLoop(2), List.of(),
                    new PromptSpec.Synthetic(8, 4), Slo.none(), 0, 0, "wrong", Duration.ofSeconds(10),
                    Duration.ofMillis(20), out, false);
            assertThatThrownBy(() -> run(wrongKey)).hasMessageContaining("401")
                    .hasMessageContaining("refused the key given with --api-key");
            // No guess about a missing /tokenize, and not one completion was sent.
            assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain("tokenize");
            assertThat(server.successes()).isZero();

            BenchConfig rightKey = new BenchConfig(server.url(), null, 4, new LoadPattern.ClosedLoop(2), List.of(),
                    new PromptSpec.Synthetic(8, 4), Slo.none(), 0, 0, "sekret", Duration.ofSeconds(10),
                    Duration.ofMillis(20), out, false);
            Bench.Outcome ok = run(rightKey);
            assertThat(ok.single().completed()).isEqualTo(4);
            assertThat(ok.info().tokenCounting()).startsWith("exact");
        }
    }

    @Test
    void promptsAreFittedWithLlamaServersTokenizeForm(@TempDir Path out) throws Exception {
        // llama-server answers {"content"} only; asked in vLLM's form it says 200 with no tokens.
        try (FakeOpenAiServer server = new FakeOpenAiServer(4, 1, 1, true).tokenizeForms(false, true)) {
            Bench.Outcome outcome = run(config(server.url(), 6, new LoadPattern.ClosedLoop(2), List.of(),
                    new PromptSpec.Synthetic(32, 4), Slo.none(), 0, Duration.ofSeconds(30), out));
            assertThat(outcome.info().tokenCounting()).startsWith("exact").contains("llama-server form");
            // The server's usage (its own count, BOS included) shows every prompt arrived at exactly 32 tokens.
            assertThat(outcome.single().tokensFromUsage()).isTrue();
            assertThat(outcome.single().perRequest()).allSatisfy(r -> assertThat(r.promptTokens()).isEqualTo(32));
            assertThat(outcome.info().promptLengths()).startsWith("min 32, mean 32.0, max 32 tokens");
        }
    }

    @Test
    void withoutAnyTokenizeCountsAreCalledEstimatedNeverExact(@TempDir Path out) throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(4, 1, 1, false).tokenizeForms(false, false)) {
            Bench.Outcome outcome = run(config(server.url(), 4, new LoadPattern.ClosedLoop(2), List.of(),
                    new PromptSpec.Synthetic(16, 4), Slo.none(), 0, Duration.ofSeconds(30), out));
            assertThat(outcome.info().tokenCounting()).startsWith("estimated").doesNotContain("exact");
            assertThat(outcome.info().promptLengths()).contains("estimated");
            String summary = SummaryTable.render(outcome);
            assertThat(summary).contains("Total input tokens:                      64 (estimated: one token per word)");
            String html = Files.readString(out.resolve(Reports.HTML));
            assertThat(html).contains("token counts estimated").doesNotContain("(exact)");
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("estimated");
        }
    }

    @Test
    void durationSendsForThatLongInsteadOfACount(@TempDir Path out) throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(4, 20, 1, true)) {
            BenchConfig closed = new BenchConfig(server.url(), null, 0, Duration.ofMillis(800),
                    new LoadPattern.ClosedLoop(2), List.of(), new PromptSpec.Synthetic(8, 4), Slo.none(), 1, 0, null,
                    Duration.ofSeconds(30), Duration.ofMillis(20), out, false);
            Bench.Outcome outcome = run(closed);
            BenchResult r = outcome.single();
            // Two clients, ~25 ms a request: many more than a handful fit in 0.8 s, and none starts after it.
            assertThat(r.completed()).isGreaterThan(6);
            assertThat(r.failed()).isZero();
            // none is taken after 0.8 s; its start is stamped once its prompt is built, a few ms later (803 ms seen)
            assertThat(r.perRequest()).allSatisfy(q -> assertThat(q.startMs()).isLessThan(800.0 + 50));
            assertThat(r.durationS()).isGreaterThanOrEqualTo(0.8);
            assertThat(outcome.info().durationS()).isEqualTo(0.8);
            assertThat(outcome.info().requests()).isZero();
            // Every request sent was counted by the server (the warm-up too), none lost at the deadline.
            assertThat(server.successes()).isEqualTo(r.completed() + 1);

            BenchConfig open = new BenchConfig(server.url(), null, 0, Duration.ofMillis(500),
                    new LoadPattern.OpenLoop(40, 3), List.of(), new PromptSpec.Synthetic(8, 4), Slo.none(), 0, 0, null,
                    Duration.ofSeconds(30), Duration.ofMillis(20), out, false);
            BenchResult o = run(open).single();
            // Poisson at 40/s for 0.5 s: about 20 arrivals; the seeded gaps make it a fixed number, well above 5.
            assertThat(o.completed()).isBetween(5, 60);
            assertThat(o.perRequest()).allSatisfy(q -> assertThat(q.startMs()).isLessThan(500.0 + 50));
        }
    }

    @Test
    void reportShowsWhatTheServersMetricsCountedDuringTheRun(@TempDir Path out) throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(4, 5, 1, true)) {
            Bench.Outcome outcome = run(config(server.url(), 6, new LoadPattern.ClosedLoop(2), List.of(),
                    new PromptSpec.Synthetic(8, 5), Slo.none(), 2, Duration.ofSeconds(30), out));
            assertThat(outcome.server()).hasSize(1);
            ServerMetrics m = outcome.server().getFirst();
            // Scraped around the measured run only: the two warm-ups are not in the deltas.
            assertThat(m.rows()).contains(
                    new ServerMetrics.Row("requests finished", "6", "vllm:request_success_total"),
                    new ServerMetrics.Row("generated tokens", "30", "vllm:generation_tokens_total"),
                    new ServerMetrics.Row("prompt tokens", "48", "vllm:prompt_tokens_total"));
            String html = Files.readString(out.resolve(Reports.HTML));
            assertThat(html).contains("<h2>Server-side metrics</h2>", "<td>requests finished</td><td>6</td>",
                    "vllm:generation_tokens_total");
        }
    }
}
