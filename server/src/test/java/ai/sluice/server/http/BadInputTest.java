package ai.sluice.server.http;

import ai.sluice.server.ClientTestServer;
import ai.sluice.server.HttpTestClient.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request bodies at the edges of what the API takes are 400s that name the field (never a 500 or a
 * hang): max_tokens at 2^31 - 1 (its sum with the prompt overflowed an int and ran to the context),
 * a body that is not UTF-8, JSON nested deeper than the parser allows, and the list limits; a schema
 * of 400 nested arrays (which took time exponential in its depth to compile: a hung core) compiles.
 * Real server, real engine (stories260K).
 */
class BadInputTest {
    @RegisterExtension
    static final ClientTestServer SERVER = new ClientTestServer();

    @Test
    void maxTokensAtTheIntLimitIsA400NotARunToTheContext() {
        for (String path : new String[] {"/v1/completions", "/v1/chat/completions"}) {
            String body = path.contains("chat")
                    ? "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2147483647}"
                    : "{\"prompt\":\"Once upon a time\",\"max_tokens\":2147483647}";
            Reply r = SERVER.http().post(path, body);
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.json().at("/error/param").asText()).isEqualTo("max_tokens");
            assertThat(r.json().at("/error/message").asText()).contains("you requested 21474836");
        }
    }

    @Test
    void aBodyThatIsNotUtf8IsA400() throws Exception {
        byte[] prefix = "{\"prompt\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] suffix = "\",\"max_tokens\":2}".getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[prefix.length + 2 + suffix.length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xC3; // a lead byte followed by no continuation byte
        body[prefix.length + 1] = (byte) 0x28;
        System.arraycopy(suffix, 0, body, prefix.length + 2, suffix.length);
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(SERVER.baseUrl() + "/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.body()).contains("\"type\":\"invalid_request_error\"", "not valid JSON");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(120) // a hang guard, not a speed bound: the deep schema hung a core before
    void jsonNestedPastTheParsersLimitIsA400AndADeepSchemaCompiles() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        Reply r = SERVER.http().post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2,\"x\":" + deep + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
        String schema = "{\"type\":\"array\",\"items\":".repeat(400) + "{\"type\":\"integer\"}" + "}".repeat(400);
        Reply s = SERVER.http().post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2,\"response_format\":"
                + "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"deep\",\"schema\":" + schema + "}}}");
        assertThat(s.status()).as(s.body()).isEqualTo(200);
        assertThat(s.json().at("/choices/0/text").asText().strip()).startsWith("[");
    }

    @Test
    void listsPastTheirLimitsAre400sNamingTheField() {
        String stops = "\"s\",".repeat(99) + "\"s\"";
        expect400("{\"prompt\":\"a\",\"stop\":[" + stops + "]}", "stop");
        expect400("{\"prompt\":\"a\",\"n\":100000}", "n");
        expect400("{\"prompt\":\"a\",\"logprobs\":21}", "logprobs");
        expect400("{\"prompt\":\"a\",\"min_tokens\":99999999999}", "min_tokens");
        Reply chat = SERVER.http().post("/v1/chat/completions", "{\"messages\":[]}");
        assertThat(chat.status()).isEqualTo(400);
        assertThat(chat.json().at("/error/param").asText()).isEqualTo("messages");
        Reply top = SERVER.http().post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true,\"top_logprobs\":21}");
        assertThat(top.status()).isEqualTo(400);
        assertThat(top.json().at("/error/param").asText()).isEqualTo("top_logprobs");
    }

    private static void expect400(String body, String param) {
        Reply r = SERVER.http().post("/v1/completions", body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().at("/error/param").asText()).isEqualTo(param);
    }
}
