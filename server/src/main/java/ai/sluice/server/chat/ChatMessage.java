package ai.sluice.server.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/** One message of a conversation, content already flattened to text. */
public record ChatMessage(String role, String content, String name) {

    /** The shape Hugging Face templates index into: {@code message['role']}, {@code message['content']}. */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        if (name != null) {
            m.put("name", name);
        }
        return m;
    }
}
