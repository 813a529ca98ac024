package ai.sluice.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SseParserTest {

    private static List<String> events(String stream) {
        SseParser parser = new SseParser();
        List<String> out = new ArrayList<>();
        for (String line : stream.split("\n", -1)) {
            String e = parser.accept(line);
            if (e != null) {
                out.add(e);
            }
        }
        String last = parser.finish();
        if (last != null) {
            out.add(last);
        }
        return out;
    }

    @Test
    void yieldsOneEventPerBlankLineTerminatedDataBlock() {
        assertThat(events("data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n"))
                .containsExactly("{\"a\":1}", "{\"a\":2}", "[DONE]");
    }

    @Test
    void skipsCommentsAndOtherFieldsAndJoinsMultiLineData() {
        String stream = ": ping\n\nevent: completion\nid: 7\ndata: first\ndata: second\nretry: 10\n\ndata:nospace\n\n";
        assertThat(events(stream)).containsExactly("first\nsecond", "nospace");
    }

    @Test
    void handsOutAnUnterminatedLastEventAtEndOfStream() {
        assertThat(events("data: [DONE]")).containsExactly("[DONE]");
        assertThat(events(": only a comment\n")).isEmpty();
    }

    @Test
    void parsesContentUsageAndErrorChunks() {
        ObjectMapper json = new ObjectMapper();
        CompletionChunk content = CompletionChunk.parse(json,
                "{\"id\":\"x\",\"choices\":[{\"index\":0,\"text\":\" hi\",\"finish_reason\":null}]}");
        assertThat(content.hasChoice()).isTrue();
        assertThat(content.text()).isEqualTo(" hi");
        assertThat(content.hasUsage()).isFalse();
        assertThat(CompletionChunk.parse(json, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" yo\"}}]}").text())
                .isEqualTo(" yo");

        CompletionChunk usage = CompletionChunk.parse(json,
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,\"total_tokens\":46}}");
        assertThat(usage.hasChoice()).isFalse();
        assertThat(usage.promptTokens()).isEqualTo(12);
        assertThat(usage.completionTokens()).isEqualTo(34);

        CompletionChunk error = CompletionChunk.parse(json, "{\"error\":{\"message\":\"out of KV cache\",\"code\":500}}");
        assertThat(error.error()).isEqualTo("out of KV cache");

        assertThatThrownBy(() -> CompletionChunk.parse(json, "not json"))
                .isInstanceOf(WireFormatException.class).hasMessageContaining("not JSON");
    }
}
