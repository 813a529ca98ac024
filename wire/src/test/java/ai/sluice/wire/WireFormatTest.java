package ai.sluice.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WireFormatTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void errorBodyHasOpenAisShapeWithNullParamAndCode() throws Exception {
        var node = json.readTree(OpenAiError.of("invalid_request_error", null, "no such model").toJson());
        assertThat(node.path("error").path("message").asText()).isEqualTo("no such model");
        assertThat(node.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(node.path("error").has("param")).isTrue();
        assertThat(node.path("error").get("code").isNull()).isTrue();
    }

    @Test
    void framedEventsParseBackToTheirPayload() {
        SseParser parser = new SseParser();
        String framed = new String(Sse.event("line one\nline two"), StandardCharsets.UTF_8)
                + new String(OpenAiError.of("server_error", "upstream", "replica died").toSseEvent(), StandardCharsets.UTF_8)
                + new String(Sse.done(), StandardCharsets.UTF_8);
        java.util.List<String> events = new java.util.ArrayList<>();
        for (String line : framed.split("\n", -1)) {
            String e = parser.accept(line);
            if (e != null) {
                events.add(e);
            }
        }
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).isEqualTo("line one\nline two");
        assertThat(CompletionChunk.parse(json, events.get(1)).error()).isEqualTo("replica died");
        assertThat(events.get(2)).isEqualTo(Sse.DONE);
    }

    @Test
    void messageOfReadsOpenAiErrorsAndRejectsOtherBodies() {
        assertThat(OpenAiError.messageOf(json, "{\"error\":{\"message\":\"busy\"}}")).isEqualTo("busy");
        assertThat(OpenAiError.messageOf(json, "{\"error\":\"plain\"}")).isEqualTo("plain");
        assertThat(OpenAiError.messageOf(json, "<html>502</html>")).isNull();
        assertThat(OpenAiError.messageOf(json, "{\"ok\":true}")).isNull();
    }
}
