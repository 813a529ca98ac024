package ai.sluice.server.http;

import ai.sluice.server.Eventually;
import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import ai.sluice.server.ScriptedModel;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.ScriptedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate in front of the API: a hung engine, keys, CORS and strict request bodies. */
class GateTest {
    private static final String KEY = "sk-gate-0123456789";
    private ScriptedServer running;
    private ScriptedModel servedModel;
    private SluiceServer server;

    private void start(ServerConfig config) {
        running = ScriptedServer.start(config, 512, 5);
        servedModel = running.servedModel;
        server = running.server;
    }

    private static ServerConfig config() {
        return ScriptedServer.config(512, Duration.ofMillis(100));
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.close();
        }
    }

    @Test
    void aHungEngineIsNotReadyAndNewWorkGetsAFast503WithRetryAfter() {
        start(config());
        HttpTestClient client = new HttpTestClient(server.port(), null);
        assertThat(client.get("/ready").status()).isEqualTo(200);
        servedModel.freeze(true);
        Eventually.await("/ready turns 503", () -> client.get("/ready").status() == 503);
        assertThat(client.get("/ready").json().get("status").asText()).isEqualTo("engine loop stalled");
        long t0 = System.nanoTime();
        Reply refused = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.json().at("/error/code").asText()).isEqualTo("engine_unavailable");
        assertThat(refused.raw().headers().firstValue("retry-after")).hasValue("1");
        assertThat(ms).as("refused at once, not held until the request timeout").isLessThan(5_000);
        assertThat(servedModel.submittedSequences()).as("nothing reached the hung engine").isZero();
        assertThat(client.post("/tokenize", "{\"prompt\":\"x\"}").status()).as("the tokenizer needs no engine").isEqualTo(200);
        servedModel.freeze(false);
        Eventually.await("/ready recovers", () -> client.get("/ready").status() == 200);
        assertThat(client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}").status()).isEqualTo(200);
    }

    @Test
    void aMissingKeyIsA401WithWwwAuthenticateAndXApiKeyIsAccepted() {
        start(config().withApiKeys(List.of(KEY)));
        HttpTestClient anonymous = new HttpTestClient(server.port(), null);
        Reply denied = anonymous.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}");
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.raw().headers().firstValue("www-authenticate")).hasValue("Bearer");
        assertThat(anonymous.request("POST", "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}",
                "X-Api-Key", KEY).status()).isEqualTo(200);
        assertThat(anonymous.request("POST", "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}",
                "X-Api-Key", "sk-wrong").status()).isEqualTo(401);
        Reply unknown = anonymous.get("/api/tags");
        assertThat(unknown.status()).as("an unknown path is a 404 before it is a 401").isEqualTo(404);
        assertThat(unknown.json().at("/error/code").asText()).isEqualTo("not_found");
    }

    @Test
    void allowedOriginsGetCorsHeadersAndPreflightsPassWithoutAKey() {
        start(config().withApiKeys(List.of(KEY)).withAllowedOrigins(List.of("https://app.example")));
        HttpTestClient client = new HttpTestClient(server.port(), null);
        Reply preflight = client.request("OPTIONS", "/v1/chat/completions", null,
                "Origin", "https://app.example", "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type");
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.raw().headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
        assertThat(preflight.raw().headers().firstValue("access-control-allow-headers")).hasValue("authorization, content-type");
        assertThat(preflight.raw().headers().firstValue("access-control-allow-methods").orElse("")).contains("POST");

        Reply keyed = client.request("POST", "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}",
                "Origin", "https://app.example", "Authorization", "Bearer " + KEY);
        assertThat(keyed.status()).isEqualTo(200);
        assertThat(keyed.raw().headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");

        Reply foreign = client.request("OPTIONS", "/v1/chat/completions", null,
                "Origin", "https://evil.example", "Access-Control-Request-Method", "POST");
        assertThat(foreign.status()).as("a foreign origin gets no preflight").isNotEqualTo(204);
        assertThat(foreign.raw().headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void withoutAllowedOriginsNoCorsHeaderIsSent() {
        start(config());
        HttpTestClient client = new HttpTestClient(server.port(), null);
        Reply r = client.request("POST", "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}",
                "Origin", "https://app.example");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void lenientBodiesAreRejected() {
        start(config());
        HttpTestClient client = new HttpTestClient(server.port(), null);
        Reply trailing = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}xyz");
        assertThat(trailing.status()).isEqualTo(400);
        assertThat(trailing.json().at("/error/message").asText()).contains("not valid JSON");
        Reply twoObjects = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1}{}");
        assertThat(twoObjects.status()).isEqualTo(400);
        Reply duplicate = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1,\"max_tokens\":500}");
        assertThat(duplicate.status()).isEqualTo(400);
        assertThat(duplicate.json().at("/error/message").asText()).contains("max_tokens");
        Reply hugeStop = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1,\"stop\":\""
                + "s".repeat(1 << 20) + "\"}");
        assertThat(hugeStop.status()).isEqualTo(400);
        assertThat(hugeStop.json().at("/error/param").asText()).isEqualTo("stop");
        Reply hugeStopInList = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1,\"stop\":[\"a\",\""
                + "s".repeat(1025) + "\"]}");
        assertThat(hugeStopInList.status()).isEqualTo(400);
        assertThat(client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1,\"stop\":\""
                + "s".repeat(1024) + "\"}").status()).as("the limit itself is fine").isEqualTo(200);
        assertThat(servedModel.submittedSequences()).isEqualTo(1);
    }
}
