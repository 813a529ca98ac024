package ai.sluice.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One {@code data:} payload of a streaming {@code /v1/completions} or {@code /v1/chat/completions} response.
 *
 * @param hasChoice        whether it carried a choice (a content chunk, even with empty text)
 * @param promptTokens     usage.prompt_tokens, or -1 when absent
 * @param completionTokens usage.completion_tokens, or -1 when absent
 * @param error            the server's error message when the chunk is an error object, else null
 */
public record CompletionChunk(boolean hasChoice, String text, int promptTokens, int completionTokens, String error) {

    public boolean hasUsage() {
        return completionTokens >= 0;
    }

    /** Parses one payload; throws {@link WireFormatException} when it is not a JSON object. */
    public static CompletionChunk parse(ObjectMapper json, String payload) {
        JsonNode node;
        try {
            node = json.readTree(payload);
        } catch (Exception e) {
            throw new WireFormatException("stream chunk is not JSON: " + abbreviate(payload));
        }
        if (node == null || !node.isObject()) {
            throw new WireFormatException("stream chunk is not a JSON object: " + abbreviate(payload));
        }
        return of(node);
    }

    /** Reads an already parsed payload (a JSON object), for a caller that needs the tree too. */
    public static CompletionChunk of(JsonNode node) {
        JsonNode error = node.get("error");
        if (error != null && !error.isNull()) {
            String message = error.isObject() ? error.path("message").asText(error.toString()) : error.asText();
            return new CompletionChunk(false, "", -1, -1, message);
        }
        JsonNode choices = node.get("choices");
        boolean hasChoice = choices != null && choices.isArray() && !choices.isEmpty();
        // completions carry choices[0].text, chat completions choices[0].delta.content
        JsonNode choice = hasChoice ? choices.get(0) : null;
        String text = choice == null ? ""
                : choice.has("text") ? choice.path("text").asText("") : choice.path("delta").path("content").asText("");
        JsonNode usage = node.get("usage");
        int prompt = -1;
        int completion = -1;
        if (usage != null && usage.isObject()) {
            prompt = usage.path("prompt_tokens").asInt(-1);
            completion = usage.path("completion_tokens").asInt(-1);
        }
        return new CompletionChunk(hasChoice, text, prompt, completion, null);
    }

    public static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
