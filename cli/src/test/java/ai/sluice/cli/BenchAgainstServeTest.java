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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 7's end-to-end check: a short bench against a real {@code sluice serve} process on stories260K, whose
 * request and token counts must equal what the server's own {@code /metrics} counted. Skips (with the reason) until
 * the cli has a {@code serve} command.
 */
class BenchAgainstServeTest {
    private static final int REQUESTS = 8;
    private static final int OUTPUT_LEN = 8;

    @Test
    void benchCountsMatchTheServersOwnMetrics(@TempDir Path dir) throws Exception {
        assumeTrue(hasServeCommand(dir), "skipped: this build's sluice has no `serve` command yet (issue 7's "
                + "end-to-end test runs once it lands)");
        Path model = Path.of(System.getProperty("sluice.shared", "../shared"), "models", "stories260K.gguf");
        assumeTrue(Files.isRegularFile(model), "skipped: no test model at " + model.toAbsolutePath());

        int port = freePort();
        Path serverLog = dir.resolve("serve.log");
        Process serve = sluice(serverLog, "serve", "--model", model.toAbsolutePath().toString(),
                "--port", Integer.toString(port));
        try {
            URI url = URI.create("http://127.0.0.1:" + port);
            awaitReady(serve, url, serverLog);
            assertBenchMatchesServerMetrics(url, dir);
        } finally {
            serve.destroy();
            if (!serve.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
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
     * Runs {@code sluice serve --help} as a real process, as the launcher would. The command exists when it prints
     * its own usage; the root's usage or picocli's "Unmatched argument" means it does not (the exit code cannot
     * tell: the root's {@code --help} wins and exits 0); anything else means the process could not start, which
     * must fail, not skip.
     */
    private static boolean hasServeCommand(Path dir) throws Exception {
        Path log = dir.resolve("serve-help.log");
        Process help = sluice(log, "serve", "--help");
        if (!help.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            help.destroyForcibly();
            throw new AssertionError("sluice serve --help did not finish within 60 s");
        }
        String output = Files.readString(log);
        if (help.exitValue() == 0 && output.contains("Usage: sluice serve")) {
            return true;
        }
        if (output.contains("Usage: sluice [") || output.contains("Unmatched argument")) {
            return false;
        }
        throw new AssertionError("sluice serve --help failed for another reason than a missing command:\n" + output);
    }

    /** The sluice command line in a child JVM on this test's class path, with the launcher's JVM flags. */
    private static Process sluice(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitReady(Process serve, URI url, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!serve.isAlive()) {
                throw new AssertionError("sluice serve exited with " + serve.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/v1/models")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("sluice serve did not answer /v1/models within 120 s:\n" + Files.readString(log));
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
