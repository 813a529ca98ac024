package ai.sluice.server.http;

import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import ai.sluice.server.ScriptedServer;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** What a vLLM or llama-server user's client sends in its first hour, and expects back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FirstHourTest {
    private ScriptedServer running;
    private HttpTestClient client;

    @BeforeAll
    void start() {
        running = ScriptedServer.start(ScriptedServer.config(512, Duration.ofMillis(100)), 512, 1);
        client = running.client(null);
    }

    @AfterAll
    void stop() {
        running.close();
    }

    @Test
    void aCompletionWithoutMaxTokensStopsAt16AsOpenAiAndVllmDo() {
        Reply r = client.post("/v1/completions", "{\"prompt\":\"x\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().at("/usage/completion_tokens").asInt()).isEqualTo(16);
        assertThat(r.json().at("/choices/0/finish_reason").asText()).isEqualTo("length");
        Reply chat = client.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(chat.json().at("/usage/completion_tokens").asInt()).as("chat runs on, to the context")
                .isGreaterThan(16);
    }

    @Test
    void toolsAreAcceptedWithEveryToolChoice() {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]";
        Reply none = client.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"max_tokens\":2," + tools + ",\"tool_choice\":\"none\"}");
        assertThat(none.status()).isEqualTo(200);
        Reply auto = client.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"max_tokens\":2," + tools + "}");
        assertThat(auto.status()).isEqualTo(200);
    }

    @Test
    void llamaServerGrammarAndJsonSchemaThatCannotBeCompiledAre400sNamingWhatIsWrong() {
        Reply grammar = client.post("/v1/completions",
                "{\"prompt\":\"x\",\"max_tokens\":2,\"grammar\":\"root ::= \\\"a\"}");
        assertThat(grammar.status()).isEqualTo(400);
        assertThat(grammar.json().at("/error/param").asText()).isEqualTo("grammar");
        assertThat(grammar.json().at("/error/message").asText()).contains("unterminated string");
        Reply schema = client.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"json_schema\":{\"type\":\"object\",\"minProperties\":1}}");
        assertThat(schema.status()).isEqualTo(400);
        assertThat(schema.json().at("/error/param").asText()).isEqualTo("json_schema");
        assertThat(schema.json().at("/error/message").asText()).contains("'minProperties'");
    }

    @Test
    void theOpenAiPathsAnswerWithoutV1TooAndVersionIsServed() {
        assertThat(client.post("/completions", "{\"prompt\":\"x\",\"max_tokens\":2}").status()).isEqualTo(200);
        assertThat(client.post("/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"max_tokens\":2}").status()).isEqualTo(200);
        Reply models = client.get("/models");
        assertThat(models.status()).isEqualTo(200);
        JsonNode model = models.json().at("/data/0");
        assertThat(model.get("id").asText()).isEqualTo("stories");
        assertThat(model.get("root").asText()).isEqualTo("stories");
        assertThat(model.has("parent")).isTrue();
        assertThat(model.get("parent").isNull()).isTrue();
        assertThat(client.get("/models/stories").status()).isEqualTo(200);
        Reply version = client.get("/version");
        assertThat(version.status()).isEqualTo(200);
        assertThat(version.json().get("version").asText()).isNotBlank();
    }

    @Test
    void tokenizeTakesLlamaServersFormWithPieces() {
        Reply vllm = client.post("/tokenize", "{\"prompt\":\"Once upon\",\"add_special_tokens\":false}");
        Reply llama = client.post("/tokenize", "{\"content\":\"Once upon\",\"add_special\":false,\"with_pieces\":true}");
        assertThat(llama.status()).as(llama.body()).isEqualTo(200);
        JsonNode ids = vllm.json().get("tokens");
        JsonNode pieces = llama.json().get("tokens");
        assertThat(pieces.size()).isEqualTo(ids.size()).isPositive();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(pieces.get(i).get("id").asInt()).isEqualTo(ids.get(i).asInt());
            text.append(pieces.get(i).get("piece").asText());
        }
        assertThat(text.toString().strip()).isEqualTo("Once upon");
        Reply withBos = client.post("/tokenize", "{\"content\":\"Once upon\"}");
        assertThat(withBos.json().get("tokens").size()).as("special tokens added by default").isEqualTo(ids.size() + 1);
        Reply detok = client.post("/detokenize", "{\"tokens\":" + ids + "}");
        assertThat(detok.json().get("content").asText()).isEqualTo(detok.json().get("prompt").asText());
        assertThat(detok.json().get("content").asText().strip()).isEqualTo("Once upon");
    }
}
