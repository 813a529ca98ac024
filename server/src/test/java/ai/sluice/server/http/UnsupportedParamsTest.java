package ai.sluice.server.http;

import ai.sluice.engine.SchedulingPolicy;
import ai.sluice.server.ClientTestServer;
import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.StoriesEngine;
import ai.sluice.server.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * vLLM's and OpenAI's fields that would change the answer but are not implemented are a 400 naming
 * the field unless they hold their default (clients that always send the default keep working);
 * {@code priority} is honoured under priority scheduling and refused under first come, first served.
 * Real server, real engine (stories260K).
 */
class UnsupportedParamsTest {
    @RegisterExtension
    static final ClientTestServer SERVER = new ClientTestServer();
    private static final String COMPLETION = "{\"prompt\":\"Once upon a time\",\"max_tokens\":2";
    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2";

    @Test
    void fieldsThatWouldChangeTheAnswerAre400sUnlessDefault() {
        String[][] both = {
                {"include_stop_str_in_output", "true", "false"},
                {"skip_special_tokens", "false", "true"},
                {"spaces_between_special_tokens", "false", "true"},
                {"bad_words", "[\"dog\"]", "[]"},
                {"allowed_token_ids", "[1,2]", "null"},
                {"prompt_logprobs", "1", "null"},
                {"truncate_prompt_tokens", "4", "null"},
                {"use_beam_search", "true", "false"},
                {"return_tokens_as_token_ids", "true", "false"}};
        for (String[] f : both) {
            rejected("/v1/completions", COMPLETION, f[0], f[1]);
            rejected("/v1/chat/completions", CHAT, f[0], f[1]);
            accepted("/v1/completions", COMPLETION, f[0], f[2]);
            accepted("/v1/chat/completions", CHAT, f[0], f[2]);
        }
        rejected("/v1/completions", COMPLETION, "add_special_tokens", "false");
        accepted("/v1/completions", COMPLETION, "add_special_tokens", "true");
        String[][] chat = {
                {"add_special_tokens", "true", "false"},
                {"continue_final_message", "true", "false"},
                {"chat_template", "\"{{ messages }}\"", "null"},
                {"functions", "[{\"name\":\"f\",\"parameters\":{}}]", "null"},
                {"function_call", "\"auto\"", "null"}};
        for (String[] f : chat) {
            rejected("/v1/chat/completions", CHAT, f[0], f[1]);
            accepted("/v1/chat/completions", CHAT, f[0], f[2]);
        }
    }

    /** vLLM's chat_template_kwargs are template variables (clients send Qwen3's enable_thinking), not a 400. */
    @Test
    void chatTemplateKwargsAreTemplateVariables() {
        accepted("/v1/chat/completions", CHAT, "chat_template_kwargs", "{\"enable_thinking\":false}");
        accepted("/v1/chat/completions", CHAT, "chat_template_kwargs", "{}");
        accepted("/v1/chat/completions", CHAT, "chat_template_kwargs", "null");
        rejected("/v1/chat/completions", CHAT, "chat_template_kwargs", "[\"enable_thinking\"]");
        rejected("/v1/chat/completions", CHAT, "chat_template_kwargs", "{\"messages\":[]}");
    }

    @Test
    void priorityNeedsPriorityScheduling() {
        rejected("/v1/completions", COMPLETION, "priority", "-3");
        rejected("/v1/chat/completions", CHAT, "priority", "2");
        accepted("/v1/completions", COMPLETION, "priority", "0");
        Reply wrongType = SERVER.http().post("/v1/completions", COMPLETION + ",\"priority\":\"high\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().at("/error/param").asText()).isEqualTo("priority");

        StoriesEngine engine = new StoriesEngine(4, SchedulingPolicy.PRIORITY);
        SluiceServer server = SluiceServer.start(TestServers.config(engine), engine, new AccessLog(line -> { }));
        try {
            HttpTestClient http = new HttpTestClient(server.port(), null);
            for (String p : new String[] {"-3", "0", "7"}) {
                Reply r = http.post("/v1/completions", COMPLETION + ",\"temperature\":0,\"priority\":" + p + "}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                assertThat(r.json().at("/usage/completion_tokens").asInt()).isEqualTo(2);
            }
        } finally {
            server.stop();
            engine.close();
        }
    }

    private static void rejected(String path, String body, String field, String value) {
        Reply r = SERVER.http().post(path, body + ",\"" + field + "\":" + value + "}");
        assertThat(r.status()).as(field + "=" + value + ": " + r.body()).isEqualTo(400);
        assertThat(r.json().at("/error/param").asText()).isEqualTo(field);
        assertThat(r.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
    }

    private static void accepted(String path, String body, String field, String value) {
        Reply r = SERVER.http().post(path, body + ",\"" + field + "\":" + value + "}");
        assertThat(r.status()).as(field + "=" + value + ": " + r.body()).isEqualTo(200);
    }
}
