package ai.sluice.server.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ToolCallFormatTest {

    @Test
    void hermesBlocksBecomeCallsAndTheTextBeforeThemContent() {
        ParsedOutput p = ToolCallFormat.HERMES.parse("Let me look.\n<tool_call>\n{\"name\": \"weather\", \"arguments\":"
                + " {\"city\": \"Oslo\"}}\n</tool_call>\n<tool_call>{\"name\": \"time\", \"arguments\": {}}</tool_call>");
        assertThat(p.content()).isEqualTo("Let me look.");
        assertThat(p.calls()).containsExactly(new ToolCall("weather", "{\"city\":\"Oslo\"}"), new ToolCall("time", "{}"));
        assertThat(ToolCallFormat.HERMES.parse("no calls here").calls()).isEmpty();
        assertThat(ToolCallFormat.HERMES.parse("<tool_call>{broken").content()).isEqualTo("<tool_call>{broken");
    }

    @Test
    void llama3JsonAndMistralToo() {
        ParsedOutput l = ToolCallFormat.LLAMA3_JSON.parse("<|python_tag|>{\"name\": \"f\", \"parameters\": {\"x\": 1}}");
        assertThat(l.calls()).containsExactly(new ToolCall("f", "{\"x\":1}"));
        assertThat(l.content()).isNull();
        assertThat(ToolCallFormat.LLAMA3_JSON.parse("Hello there").content()).isEqualTo("Hello there");
        ParsedOutput m = ToolCallFormat.MISTRAL.parse("[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {\"q\": \"z\"}},"
                + " {\"name\": \"b\", \"arguments\": {}}]");
        assertThat(m.calls()).extracting(ToolCall::name).containsExactly("a", "b");
    }

    @Test
    void theFormatIsReadFromTheTemplate() {
        assertThat(ToolCallFormat.detect("{{ '<tool_call>\\n' }}")).isEqualTo(ToolCallFormat.HERMES);
        assertThat(ToolCallFormat.detect("[TOOL_CALLS] {{ tools }}")).isEqualTo(ToolCallFormat.MISTRAL);
        assertThat(ToolCallFormat.detect("<|start_header_id|>ipython<|end_header_id|>")).isEqualTo(ToolCallFormat.LLAMA3_JSON);
        assertThat(ToolCallFormat.named("llama3_json")).isEqualTo(ToolCallFormat.LLAMA3_JSON);
    }
}
