package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code sluice bench-embed} runs both modes on a real model and finds them giving the same vectors. */
class BenchEmbedCommandTest {

    @Test
    void measuresBothModesAndChecksTheirVectorsAgree() throws Exception {
        CliRun run = CliRun.of("bench-embed", "--model", ServeProcess.stories260K().toString(), "--inputs", "6",
                "--tokens", "9", "--rounds", "1", "--threads", "1", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode r = new ObjectMapper().readTree(run.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertThat(r.get("identical_vectors").asBoolean()).isTrue();
        assertThat(r.get("one_by_one_embeddings_s").asDouble()).isPositive();
        assertThat(r.get("batched_tokens_s").asDouble()).isEqualTo(r.get("batched_embeddings_s").asDouble() * 9);
        assertThat(r.get("kind").asText()).contains("decoder");
    }
}
