package ai.sluice.server.chat;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.server.TestData;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatTemplateTest {

    private static final List<ChatMessage> SYSTEM_USER = List.of(
            new ChatMessage("system", "Be brief.", null),
            new ChatMessage("user", "  Hi there \n", null));

    /** The template stored in a real model file, with that file's BOS/EOS token text. */
    private static ChatTemplate fromModel(String vocab) {
        try (GgufFile f = GgufFile.open(TestData.vocab(vocab))) {
            GgufMetadata md = f.metadata();
            String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
            return ChatTemplate.of(md.getString("tokenizer.chat_template"),
                    tokens[md.getInt("tokenizer.ggml.bos_token_id")], tokens[md.getInt("tokenizer.ggml.eos_token_id")]);
        }
    }

    @Test
    void rendersQwen2TemplateWithDefaultSystemPromptAndGenerationHeader() {
        String out = fromModel("qwen2").render(List.of(new ChatMessage("user", "Hi", null)), true);
        assertThat(out).isEqualTo("<|im_start|>system\nYou are a helpful assistant<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void qwen2TemplateOmitsGenerationHeaderWhenNotAsked() {
        String out = fromModel("qwen2").render(SYSTEM_USER, false);
        assertThat(out).isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n"
                + "<|im_start|>user\n  Hi there \n<|im_end|>\n");
    }

    /** Qwen3's switch, as its template writes it: the kwargs are template variables, absent when not sent. */
    @Test
    void extraVariablesReachTheTemplateAndCannotReplaceBoundOnes() {
        ChatTemplate t = ChatTemplate.of("{%- for m in messages %}<|{{ m.role }}|>{{ m.content }}{%- endfor %}"
                + "{%- if add_generation_prompt %}<|assistant|>"
                + "{%- if enable_thinking is defined and enable_thinking is false %}<think></think>{%- endif %}"
                + "{%- endif %}", "<s>", "</s>");
        List<ChatMessage> hi = List.of(new ChatMessage("user", "Hi", null));
        assertThat(t.render(hi, true)).isEqualTo("<|user|>Hi<|assistant|>");
        assertThat(t.render(hi, true, null, java.util.Map.of("enable_thinking", false)))
                .isEqualTo("<|user|>Hi<|assistant|><think></think>");
        assertThat(t.render(hi, true, null, java.util.Map.of("enable_thinking", true)))
                .isEqualTo("<|user|>Hi<|assistant|>");
        assertThatThrownBy(() -> t.render(hi, true, null, java.util.Map.of("messages", List.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'messages'");
    }

    @Test
    void rendersPhi3TemplateWithBosToken() {
        String out = fromModel("phi-3").render(List.of(new ChatMessage("user", "Hi", null)), true);
        assertThat(out).isEqualTo("<s><|user|>\nHi<|end|>\n<|assistant|>\n");
    }

    @Test
    void commandRTemplateAppliesPythonStripAndSystemTurn() {
        String out = fromModel("command-r").render(SYSTEM_USER, true);
        assertThat(out).isEqualTo("<BOS_TOKEN><|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>Be brief.<|END_OF_TURN_TOKEN|>"
                + "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>Hi there<|END_OF_TURN_TOKEN|>"
                + "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>");
    }

    @Test
    void commandRTemplateRaisesItsOwnErrorForRolesThatDoNotAlternate() {
        ChatTemplate t = fromModel("command-r");
        List<ChatMessage> twoUsers = List.of(new ChatMessage("user", "a", null), new ChatMessage("user", "b", null));
        assertThatThrownBy(() -> t.render(twoUsers, true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void rendersGemma4TemplateWithMacrosNamespacesAndEscapes() {
        String out = fromModel("gemma-4").render(SYSTEM_USER, true);
        assertThat(out).isEqualTo("<bos><|turn>system\nBe brief.<turn|>\n<|turn>user\nHi there<turn|>\n"
                + "<|turn>model\n<|channel>thought\n<channel|>");
    }

    @Test
    void rendersLlama3StyleTemplateWithTrimFilterAndBosOnFirstMessage() {
        // The Llama 3 Instruct template (as published with the model).
        String llama3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
                + "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim "
                + "+ '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
                + "{{ content }}{% endfor %}{% if add_generation_prompt %}"
                + "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
        String out = ChatTemplate.of(llama3, "<|begin_of_text|>", "<|eot_id|>").render(SYSTEM_USER, true);
        assertThat(out).isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void supportsPythonStringMethodsInsideTags() {
        String tpl = "{% for m in messages %}{% if m['role'].startswith('sys') %}[S]{% endif %}"
                + "{{ m['content'].strip().upper() if false else m['content'].rstrip() }}|{{ m['content'].split()|length }};"
                + "{% endfor %}";
        String out = ChatTemplate.of(tpl, "", "").render(SYSTEM_USER, false);
        assertThat(out).isEqualTo("[S]Be brief.|2;  Hi there|2;");
    }

    @Test
    void leavesMethodNamesInPlainTextAlone() {
        String out = ChatTemplate.of("call x.strip() here {{ 'a' }}", "", "").render(List.of(), false);
        assertThat(out).isEqualTo("call x.strip() here a");
    }

    @Test
    void fallsBackToRoleLinesWhenTheModelHasNoTemplate() {
        ChatTemplate t = ChatTemplate.of(null, "<s>", "</s>");
        assertThat(t.isFallback()).isTrue();
        assertThat(t.render(SYSTEM_USER, true)).isEqualTo("system: Be brief.\nuser:   Hi there \n\nassistant:");
    }

    @Test
    void reportsATemplateSyntaxErrorAsChatTemplateException() {
        ChatTemplate t = ChatTemplate.of("{% for m in messages %}{{ m['content'] }}", "", "");
        assertThatThrownBy(() -> t.render(SYSTEM_USER, true)).isInstanceOf(ChatTemplateException.class)
                .hasMessageStartingWith("chat template failed");
    }

    @Test
    void toolsToolCallsAndToolResultsReachTheTemplateAsHuggingFacePassesThem() {
        ChatTemplate t = ChatTemplate.of("""
                {%- if tools %}TOOLS:{% for tool in tools %} {{ tool.function.name }}{% endfor %}
                {% endif -%}
                {%- for m in messages -%}
                {{ m.role }}:{% if m.tool_calls %}{% for c in m.tool_calls %} call {{ c.function.name }}\
                 city={{ c.function.arguments.city }}{% endfor %}{% endif %}\
                {% if m.tool_call_id %} [{{ m.tool_call_id }}]{% endif %} {{ m.content }}
                {% endfor -%}""", "<s>", "</s>");
        List<java.util.Map<String, Object>> tools = List.of(java.util.Map.of("type", "function",
                "function", java.util.Map.of("name", "get_weather")));
        String out = t.render(List.of(new ChatMessage("user", "weather?", null),
                new ChatMessage("assistant", "", null, List.of(java.util.Map.of("id", "c1", "type", "function",
                        "function", java.util.Map.of("name", "get_weather", "arguments", java.util.Map.of("city", "Oslo")))), null),
                new ChatMessage("tool", "12 C", null, null, "c1")), false, tools);
        assertThat(out).contains("TOOLS: get_weather").contains("assistant: call get_weather city=Oslo")
                .contains("tool: [c1] 12 C");
        assertThat(t.render(List.of(new ChatMessage("user", "x", null)), false)).doesNotContain("TOOLS");
    }
}
