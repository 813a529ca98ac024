package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Translates between OpenAI's chat completions and Anthropic's Messages API ({@code POST /v1/messages},
 * {@code anthropic-version: 2023-06-01}): the request one way, the answer and its errors the other way. Only text
 * is carried; a request with what Messages cannot take the same way (tools, images, n > 1, logprobs) is refused
 * with a 400 naming the field rather than sent half-translated.
 */
final class AnthropicMessages {
    static final String VERSION = "2023-06-01";
    /** Messages requires max_tokens; OpenAI's default is "up to the context", which this stands in for. */
    static final int DEFAULT_MAX_TOKENS = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();

    private AnthropicMessages() {
    }

    /** The Messages request for an OpenAI chat completion request, with the provider's model name. */
    static ObjectNode request(JsonNode chat, String theirModel) {
        for (String unsupported : new String[]{"tools", "tool_choice", "functions", "logprobs", "top_logprobs",
                "response_format", "audio", "modalities"}) {
            if (chat.hasNonNull(unsupported)) {
                throw unsupported(unsupported, "is not carried to Anthropic's Messages API");
            }
        }
        if (chat.path("n").asInt(1) != 1) {
            throw unsupported("n", "must be 1 for Anthropic's Messages API");
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("model", theirModel);
        int maxTokens = chat.has("max_completion_tokens") ? chat.path("max_completion_tokens").asInt()
                : chat.has("max_tokens") ? chat.path("max_tokens").asInt() : DEFAULT_MAX_TOKENS;
        out.put("max_tokens", maxTokens);
        StringBuilder system = new StringBuilder();
        ArrayNode messages = out.putArray("messages");
        JsonNode in = chat.path("messages");
        for (int i = 0; i < in.size(); i++) {
            JsonNode m = in.get(i);
            String role = m.path("role").asText();
            String text = text(m.get("content"), "messages[" + i + "].content");
            switch (role) {
                case "system", "developer" -> system.append(system.isEmpty() ? "" : "\n\n").append(text);
                case "user", "assistant" -> messages.addObject().put("role", role).put("content", text);
                default -> throw unsupported("messages[" + i + "].role", "\"" + role
                        + "\" is not carried to Anthropic's Messages API (user, assistant, system only)");
            }
        }
        if (!system.isEmpty()) {
            out.put("system", system.toString());
        }
        if (chat.has("temperature")) {
            out.put("temperature", Math.min(1.0, chat.path("temperature").asDouble())); // Messages: 0 to 1
        }
        if (chat.has("top_p")) {
            out.put("top_p", chat.path("top_p").asDouble());
        }
        JsonNode stop = chat.get("stop");
        if (stop != null && !stop.isNull()) {
            ArrayNode seqs = out.putArray("stop_sequences");
            if (stop.isArray()) {
                stop.forEach(s -> seqs.add(s.asText()));
            } else {
                seqs.add(stop.asText());
            }
        }
        if (chat.path("user").isTextual()) {
            out.putObject("metadata").put("user_id", chat.get("user").asText());
        }
        if (chat.path("stream").asBoolean(false)) {
            out.put("stream", true);
        }
        return out;
    }

    private static String text(JsonNode content, String field) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText())) {
                    throw unsupported(field, "parts of type " + part.path("type").asText()
                            + " are not carried to Anthropic's Messages API (text only)");
                }
                sb.append(part.path("text").asText());
            }
            return sb.toString();
        }
        throw unsupported(field, "must be a string or a list of text parts");
    }

    private static Refused unsupported(String field, String why) {
        return new Refused(400, new OpenAiError(new OpenAiError.Detail(field + " " + why, "invalid_request_error",
                field, "unsupported_by_pool")), 0);
    }

    /** OpenAI's finish_reason for a Messages stop_reason. */
    static String finishReason(String stopReason) {
        if (stopReason == null) {
            return null;
        }
        return switch (stopReason) {
            case "max_tokens" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop"; // end_turn, stop_sequence, pause_turn
        };
    }

    /** A chat.completion for a Messages answer; {@code ourModel} is the name the client asked for. */
    static byte[] response(byte[] message, String ourModel) throws IOException {
        JsonNode m = JSON.readTree(message);
        StringBuilder text = new StringBuilder();
        for (JsonNode block : m.path("content")) {
            if ("text".equals(block.path("type").asText())) {
                text.append(block.path("text").asText());
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("id", m.path("id").asText());
        out.put("object", "chat.completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", ourModel);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text.toString());
        choice.put("finish_reason", finishReason(m.path("stop_reason").asText(null)));
        usage(out, m.path("usage").path("input_tokens").asLong(), m.path("usage").path("output_tokens").asLong());
        return JSON.writeValueAsBytes(out);
    }

    static void usage(ObjectNode chunk, long input, long output) {
        chunk.putObject("usage").put("prompt_tokens", input).put("completion_tokens", output)
                .put("total_tokens", input + output);
    }

    /** An OpenAI error body for a Messages error body ({@code {"type":"error","error":{"type":..,"message":..}}}). */
    static byte[] error(byte[] body, int status) {
        String type = "api_error";
        String message = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode e = JSON.readTree(body).path("error");
            if (e.isObject()) {
                type = e.path("type").asText(type);
                message = e.path("message").asText(message);
            }
        } catch (IOException notJson) {
            // keep the raw text as the message
        }
        return OpenAiError.of(type, "provider_" + status, "the Anthropic provider answered " + status + ": "
                + message).toJson();
    }
}
