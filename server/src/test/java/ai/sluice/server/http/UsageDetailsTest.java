package ai.sluice.server.http;

import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.StoriesEngine;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** OpenAI's usage details and system_fingerprint, from the real engine's prefix cache. */
class UsageDetailsTest {
    /** Long enough to fill whole 16-token KV blocks, which is what the prefix cache shares. */
    private static final String PROMPT = "Once upon a time, there was a little girl named Lily. She loved to play "
            + "outside in the park with her friends and her dog.";

    @Test
    void aRepeatedPromptReportsItsCachedTokensAndEveryAnswerCarriesAFingerprint() throws Exception {
        try (StoriesEngine servedModel = new StoriesEngine(4);
             SluiceServer server = SluiceServer.start(ServerConfig.defaults("stories", servedModel.contextLength())
                     .withPort(0), servedModel, new AccessLog(line -> { }))) {
            HttpTestClient client = new HttpTestClient(server.port(), null);
            String body = "{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":2}";
            Reply first = client.post("/v1/completions", body);
            Reply second = client.post("/v1/completions", body);
            int promptTokens = first.json().at("/usage/prompt_tokens").asInt();
            assertThat(promptTokens).isGreaterThan(16);
            assertThat(first.json().at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
            int cached = second.json().at("/usage/prompt_tokens_details/cached_tokens").asInt();
            assertThat(cached).as("whole blocks of the repeated prompt come from the cache")
                    .isPositive().isLessThan(promptTokens).isEqualTo(promptTokens - 1 - (promptTokens - 1) % 16);

            String fingerprint = first.json().get("system_fingerprint").asText();
            assertThat(fingerprint).startsWith("fp_sluice_");
            Reply chat = client.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                    + "\"max_tokens\":2}");
            assertThat(chat.json().get("system_fingerprint").asText()).isEqualTo(fingerprint);
            Reply stream = client.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                    + "\"max_tokens\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
            for (String event : stream.events()) {
                if (!event.equals("[DONE]")) {
                    JsonNode chunk = HttpTestClient.JSON.readTree(event);
                    assertThat(chunk.get("system_fingerprint").asText()).isEqualTo(fingerprint);
                }
            }
            assertThat(HttpTestClient.JSON.readTree(stream.events().get(stream.events().size() - 2))
                    .at("/usage/prompt_tokens_details").has("cached_tokens")).isTrue();
        }
    }
}
