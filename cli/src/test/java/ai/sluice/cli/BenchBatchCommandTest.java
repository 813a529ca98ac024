package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** bench-batch on the real stories260K model, at sizes that keep it fast. */
class BenchBatchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = GenerateCommandTest.shared().resolve("models/stories260K.gguf").toString();

    @Test
    void sweepReportsDecodeSpeedPerConcurrency() throws Exception {
        JsonNode r = JSON.readTree(GenerateCommandTest.run("bench-batch", "--model", MODEL, "--concurrency", "1,3",
                "--prompt", "8", "--output", "12", "--threads", "1", "--json"));
        JsonNode runs = r.get("runs");
        assertThat(runs).hasSize(2);
        assertThat(runs.get(1).get("concurrency").asInt()).isEqualTo(3);
        assertThat(runs.get(0).get("decode_tok_s").asDouble()).isPositive();
        assertThat(runs.get(1).get("decode_tok_s").asDouble()).isPositive();
    }

    @Test
    void overloadFinishesEveryRequestWithCorrectOutput() throws Exception {
        JsonNode r = JSON.readTree(GenerateCommandTest.run("bench-batch", "--model", MODEL, "--overload",
                "--requests", "12", "--prompt", "16", "--output", "48", "--budget-seqs", "2", "--threads", "1",
                "--json")).get("overload");
        assertThat(r.get("correct_outputs").asInt()).isEqualTo(12);
        assertThat(r.get("finished").get("length").asInt()).isEqualTo(12);
        assertThat(r.get("preemptions").asLong()).isPositive();
    }

    @Test
    void refusesAPromptPlusOutputBeyondTheContext() {
        CliRun r = CliRun.of("bench-batch", "--model", MODEL, "--prompt", "100000", "--output", "1");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("exceeds the model's context");
    }
}
