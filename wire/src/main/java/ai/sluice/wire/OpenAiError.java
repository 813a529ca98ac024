package ai.sluice.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;

/**
 * OpenAI's error body, {@code {"error": {"message", "type", "param", "code"}}}. {@code param} and {@code code}
 * are written as null when absent, as OpenAI does, so clients that read them find the keys.
 */
public record OpenAiError(Detail error) {

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String message, String type, String param, String code) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static OpenAiError of(String type, String code, String message) {
        return new OpenAiError(new Detail(message, type, null, code));
    }

    public String message() {
        return error.message();
    }

    /** The body as UTF-8 JSON bytes. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error record always serializes", e);
        }
    }

    /** The error as one SSE event ({@code data: {...}\n\n}), for a stream that fails after it started. */
    public byte[] toSseEvent() {
        return Sse.event(new String(toJson(), StandardCharsets.UTF_8));
    }

    /**
     * The error message of an OpenAI-style error body, or null when the body is not one (not JSON, or JSON
     * without an {@code error} member).
     */
    public static String messageOf(ObjectMapper json, String body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (Exception e) {
            return null;
        }
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode error = node.get("error");
        if (error == null || error.isNull()) {
            return null;
        }
        return error.isObject() ? error.path("message").asText(error.toString()) : error.asText();
    }
}
