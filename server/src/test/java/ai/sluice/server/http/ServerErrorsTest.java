package ai.sluice.server.http;

import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import ai.sluice.server.ScriptedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A StackOverflowError (a real one: the scripted model's fault hook recurses without end) in a route
 * handler, or in the gate in front of the routes, is an OpenAI-style JSON 500 without a stack trace,
 * and the server goes on serving.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerErrorsTest {
    private ScriptedServer server;
    private HttpTestClient client;

    @BeforeAll
    void start() {
        server = ScriptedServer.start(ScriptedServer.config(512, Duration.ofSeconds(5)), 512, 1);
        client = server.client(null);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @AfterEach
    void heal() {
        server.servedModel.overflowStackIn("");
    }

    @Test
    void aStackOverflowInAnEndpointIsAJson500AndTheServerGoesOn() {
        server.servedModel.overflowStackIn("submit");
        for (String path : new String[] {"/v1/completions", "/v1/chat/completions"}) {
            Reply r = client.post(path, path.contains("chat")
                    ? "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}"
                    : "{\"prompt\":\"Hello\",\"max_tokens\":3}");
            assertIsInternalError(r);
        }
        server.servedModel.overflowStackIn("");
        Reply ok = client.post("/v1/completions", "{\"prompt\":\"Hello\",\"max_tokens\":3}");
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().at("/usage/completion_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void aStackOverflowInTheGateOrAProbeIsAJson500Too() {
        server.servedModel.overflowStackIn("heartbeat"); // read by the gate (engine paths) and by /health
        assertIsInternalError(client.post("/v1/completions", "{\"prompt\":\"Hello\",\"max_tokens\":3}"));
        assertIsInternalError(client.get("/health"));
        server.servedModel.overflowStackIn("");
        assertThat(client.get("/health").status()).isEqualTo(200);
        assertThat(client.post("/v1/completions", "{\"prompt\":\"Hello\",\"max_tokens\":3}").status()).isEqualTo(200);
    }

    private static void assertIsInternalError(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(500);
        assertThat(r.raw().headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        assertThat(r.json().at("/error/type").asText()).isEqualTo("server_error");
        assertThat(r.json().at("/error/message").asText()).isEqualTo("internal error: StackOverflowError");
        assertThat(r.body()).doesNotContain("at ai.sluice", "recurse", "\tat ");
    }
}
