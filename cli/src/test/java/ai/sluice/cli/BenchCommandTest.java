package ai.sluice.cli;

import ai.sluice.bench.FakeOpenAiServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BenchCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void benchRunsAgainstAStreamingServerAndWritesSummaryJsonAndReport(@TempDir Path dir) throws Exception {
        try (FakeOpenAiServer server = new FakeOpenAiServer(4, 5, 1, true)) {
            int rc = Main.run("bench", "--url", server.url() + "/v1", "--requests", "6", "--concurrency", "2",
                    "--input-len", "12", "--output-len", "5", "--slo-ttft", "10s", "--slo-tpot", "2s",
                    "--out", dir.toString(), "--quiet");
            assertThat(rc).as(stderr()).isZero();
            String summary = out.toString(StandardCharsets.UTF_8);
            assertThat(summary).contains("Serving Benchmark Result", "Successful requests:                     6",
                    "Total generated tokens:                  30", "Request goodput (req/s)", "TTFT", "TPOT");
            JsonNode json = new ObjectMapper().readTree(dir.resolve("result.json").toFile());
            assertThat(json.path("result").path("completed").asInt()).isEqualTo(6);
            assertThat(json.path("config").path("sloTtftMs").asDouble()).isEqualTo(10_000.0);
            assertThat(Files.readString(dir.resolve("report.html"))).contains("<svg");
            assertThat(stderr()).contains("wrote").doesNotContain("\r");
        }
    }

    @Test
    void contradictoryOrMissingLoadOptionsGiveOneLineErrors() {
        assertThat(Main.run("bench", "--url", "http://127.0.0.1:1", "--requests", "1",
                "--input-len", "4", "--output-len", "4")).isEqualTo(1);
        assertThat(stderr()).contains("sluice: error: give exactly one of --rate R");
        err.reset();
        assertThat(Main.run("bench", "--url", "http://127.0.0.1:1", "--requests", "1", "--rate", "1",
                "--concurrency", "2", "--input-len", "4", "--output-len", "4")).isEqualTo(1);
        assertThat(stderr()).contains("give exactly one of");
        err.reset();
        assertThat(Main.run("bench", "--url", "http://127.0.0.1:1", "--requests", "1", "--rate", "1"))
                .isEqualTo(1);
        assertThat(stderr()).contains("--input-len I --output-len O");
        err.reset();
        assertThat(Main.run("bench", "--url", "http://127.0.0.1:1", "--requests", "1", "--sweep", "1,2",
                "--rate", "3", "--input-len", "4", "--output-len", "4")).isEqualTo(1);
        assertThat(stderr()).contains("--sweep sets the rates itself");
        assertThat(stderr().lines().filter(l -> l.startsWith("\tat "))).isEmpty();
    }

    @Test
    void unreachableServerWithoutModelSaysToGiveModel() {
        assertThat(Main.run("bench", "--url", "http://127.0.0.1:1", "--requests", "1", "--rate", "1",
                "--input-len", "4", "--output-len", "4", "--quiet")).isEqualTo(1);
        assertThat(stderr()).contains("sluice: error: cannot reach http://127.0.0.1:1/v1/models")
                .contains("is the server up");
    }

    @Test
    void badValuesAreRejectedByTheParser() {
        assertThat(Main.run("bench", "--url", "http://x", "--requests", "1", "--rate", "-2")).isEqualTo(2);
        assertThat(stderr()).contains("a rate must be > 0");
        err.reset();
        assertThat(Main.run("bench", "--url", "http://x", "--requests", "1", "--rate", "1", "--slo-ttft", "soon"))
                .isEqualTo(2);
        assertThat(stderr()).contains("not a duration: 'soon'");
    }

    @Test
    void durationsAndRatesParseWithUnits() {
        BenchCommand.DurationConverter d = new BenchCommand.DurationConverter();
        assertThat(d.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(d.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(d.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(d.convert("50")).isEqualTo(Duration.ofMillis(50));
        BenchCommand.RateConverter r = new BenchCommand.RateConverter();
        assertThat(r.convert("inf")).isInfinite();
        assertThat(r.convert("2.5")).isEqualTo(2.5);
    }

    @Test
    void helpMarksWhatIsRequired() {
        assertThat(Main.run("bench", "--help")).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help).contains("Usage: sluice bench --url=URL (--requests=N | --duration=TIME)",
                "(--concurrency=C | --rate=R | --sweep=R1,R2,...)",
                "(--input-len=I --output-len=O | --dataset=FILE.jsonl)",
                "Each group in parentheses is required");
        assertThat(help).containsPattern("--duration=TIME\\s+Instead of --requests")
                .containsPattern("--requests=N\\s+Required unless --duration")
                .containsPattern("--concurrency=C\\s+One of --rate, --concurrency, --sweep is required");
    }

    @Test
    void durationIsAnAlternativeToRequests(@TempDir Path dir) throws Exception {
        assertThat(Main.run("bench", "--url", "http://127.0.0.1:1", "--concurrency", "1",
                "--input-len", "4", "--output-len", "4")).isEqualTo(1);
        assertThat(stderr()).contains("give exactly one of --requests N (a count) or --duration TIME");
        err.reset();
        assertThat(Main.run("bench", "--url", "http://127.0.0.1:1", "--requests", "3", "--duration", "5s",
                "--concurrency", "1", "--input-len", "4", "--output-len", "4")).isEqualTo(1);
        assertThat(stderr()).contains("give exactly one of --requests N");
        err.reset();
        assertThat(Main.run("bench", "--url", "http://127.0.0.1:1", "--duration", "30", "--concurrency", "1",
                "--input-len", "4", "--output-len", "4")).isEqualTo(2);
        assertThat(stderr()).contains("--duration needs a unit: '30s' or '30m'?");
        err.reset();
        try (FakeOpenAiServer server = new FakeOpenAiServer(2, 5, 1, true)) {
            int rc = Main.run("bench", "--url", server.url().toString(), "--duration", "600ms", "--concurrency", "2",
                    "--input-len", "8", "--output-len", "3", "--out", dir.toString(), "--quiet");
            assertThat(rc).as(stderr()).isZero();
            JsonNode json = new ObjectMapper().readTree(dir.resolve("result.json").toFile());
            assertThat(json.path("config").path("durationS").asDouble()).isEqualTo(0.6);
            assertThat(json.path("result").path("completed").asInt()).isGreaterThan(4);
            assertThat(json.path("result").path("failed").asInt()).isZero();
        }
    }
}
