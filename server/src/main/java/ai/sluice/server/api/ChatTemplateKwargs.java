package ai.sluice.server.api;

import ai.sluice.server.chat.ChatTemplate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * vLLM's {@code chat_template_kwargs}: an object whose entries become variables of the chat template,
 * as Hugging Face's {@code apply_chat_template(**kwargs)} passes them (clients switch Qwen3's thinking
 * off with {@code {"enable_thinking": false}}). A variable the server binds itself (messages, tools,
 * ...) cannot be replaced: a 400 naming the field says which.
 */
final class ChatTemplateKwargs {
    static final String FIELD = "chat_template_kwargs";
    private static final ObjectMapper JSON = Json.plain();

    private ChatTemplateKwargs() {
    }

    /** The variables in {@code node}, empty for none or {@code null}. */
    static Map<String, Object> parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.invalid(FIELD, "'" + FIELD + "' must be an object of template variables");
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (ChatTemplate.BOUND_VARIABLES.contains(e.getKey())) {
                throw ApiException.invalid(FIELD, "'" + FIELD + "' cannot set '" + e.getKey()
                        + "': the server binds it (from the request's own fields)");
            }
            kwargs.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
        }
        return Map.copyOf(kwargs);
    }
}
