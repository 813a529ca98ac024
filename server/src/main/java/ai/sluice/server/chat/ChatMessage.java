package ai.sluice.server.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One message of a conversation, content already flattened to text.
 *
 * @param toolCalls  an assistant message's calls, as the template sees them ({@code [{"id", "type",
 *                   "function": {"name", "arguments"}}]}, arguments as an object where they parse), or null
 * @param toolCallId a tool message's {@code tool_call_id}, or null
 */
public record ChatMessage(String role, String content, String name, List<Map<String, Object>> toolCalls,
                          String toolCallId) {

    public ChatMessage(String role, String content, String name) {
        this(role, content, name, null, null);
    }

    /** The shape Hugging Face templates index into: {@code message['role']}, {@code message['content']}. */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        if (name != null) {
            m.put("name", name);
        }
        if (toolCalls != null) {
            m.put("tool_calls", toolCalls);
        }
        if (toolCallId != null) {
            m.put("tool_call_id", toolCallId);
        }
        return m;
    }
}
