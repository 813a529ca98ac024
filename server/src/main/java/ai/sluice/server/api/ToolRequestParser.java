package ai.sluice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}; 400s name the field. */
final class ToolRequestParser {
    private static final ObjectMapper JSON = Json.plain();
    /** OpenAI's rule for function names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    private ToolRequestParser() {
    }

    /** The request's tools, or null when it offers none. */
    static ToolRequest parse(Params p) {
        JsonNode tools = p.node("tools");
        JsonNode choiceNode = p.node("tool_choice");
        boolean parallel = p.bool("parallel_tool_calls", true);
        boolean none = tools == null || tools.isNull() || (tools.isArray() && tools.isEmpty());
        ToolRequest.Choice choice = choice(choiceNode, none);
        if (none) {
            if (choice instanceof ToolRequest.Choice.Required || choice instanceof ToolRequest.Choice.Named) {
                throw ApiException.invalid("tool_choice", "'tool_choice' requires 'tools'");
            }
            return null;
        }
        if (!tools.isArray()) {
            throw ApiException.invalid("tools", "'tools' must be a list of {\"type\": \"function\", \"function\": {...}}");
        }
        List<Map<String, Object>> templateTools = new ArrayList<>();
        List<ToolRequest.Function> functions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String at = "tools[" + i + "]";
            if (!t.isObject() || !"function".equals(t.path("type").asText()) || !t.path("function").isObject()) {
                throw ApiException.invalid(at, "'" + at + "' must be {\"type\": \"function\", \"function\": {...}}");
            }
            JsonNode f = t.get("function");
            String name = f.path("name").asText("");
            if (!NAME.matcher(name).matches()) {
                throw ApiException.invalid(at + ".function.name", "'" + at + ".function.name' must be 1 to 64 letters,"
                        + " digits, '_' or '-', got '" + name + "'");
            }
            if (!names.add(name)) {
                throw ApiException.invalid(at + ".function.name", "function '" + name + "' is given twice");
            }
            JsonNode params = f.get("parameters");
            if (params == null || params.isNull()) {
                ObjectNode empty = JSON.createObjectNode().put("type", "object");
                empty.putObject("properties");
                params = empty;
            } else if (!params.isObject()) {
                throw ApiException.invalid(at + ".function.parameters", "'" + at
                        + ".function.parameters' must be a JSON Schema object");
            }
            functions.add(new ToolRequest.Function(name, params));
            @SuppressWarnings("unchecked")
            Map<String, Object> asMap = JSON.convertValue(t, Map.class);
            templateTools.add(asMap);
        }
        ToolRequest r = new ToolRequest(templateTools, functions, choice, parallel);
        if (choice instanceof ToolRequest.Choice.Named n) {
            r.function(n.name()); // a 400 when it names no tool
        }
        return r;
    }

    /**
     * An assistant message's {@code tool_calls} as the template sees them: arguments (a JSON string
     * on the wire) as an object where they parse, since templates write them with {@code tojson}.
     */
    static List<Map<String, Object>> templateCalls(JsonNode calls, String at) {
        if (calls == null || calls.isNull()) {
            return null;
        }
        if (!calls.isArray()) {
            throw ApiException.invalid(at, "'" + at + "' must be a list");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            JsonNode c = calls.get(i);
            JsonNode f = c.path("function");
            if (!f.path("name").isTextual()) {
                throw ApiException.invalid(at + "[" + i + "].function.name", "'" + at + "[" + i
                        + "].function.name' is required");
            }
            Object arguments = f.path("arguments").asText("{}");
            try {
                arguments = JSON.convertValue(JSON.readTree((String) arguments), Object.class);
            } catch (Exception notJson) {
                // kept as the string the client sent
            }
            Map<String, Object> function = new java.util.LinkedHashMap<>();
            function.put("name", f.get("name").asText());
            function.put("arguments", arguments);
            Map<String, Object> call = new java.util.LinkedHashMap<>();
            call.put("id", c.path("id").asText(""));
            call.put("type", "function");
            call.put("function", function);
            out.add(call);
        }
        return out;
    }

    static String toolCallId(JsonNode id, String at) {
        if (id == null || id.isNull()) {
            return null;
        }
        if (!id.isTextual()) {
            throw ApiException.invalid(at, "'" + at + "' must be a string");
        }
        return id.asText();
    }

    private static ToolRequest.Choice choice(JsonNode c, boolean noTools) {
        if (c == null || c.isNull()) {
            return noTools ? new ToolRequest.Choice.None() : new ToolRequest.Choice.Auto();
        }
        if (c.isTextual()) {
            return switch (c.asText()) {
                case "none" -> new ToolRequest.Choice.None();
                case "auto" -> new ToolRequest.Choice.Auto();
                case "required" -> new ToolRequest.Choice.Required();
                default -> throw ApiException.invalid("tool_choice", "'tool_choice' must be none, auto, required or"
                        + " {\"type\": \"function\", \"function\": {\"name\": ...}}, got '" + c.asText() + "'");
            };
        }
        if (c.isObject() && "function".equals(c.path("type").asText()) && c.path("function").path("name").isTextual()) {
            return new ToolRequest.Choice.Named(c.get("function").get("name").asText());
        }
        throw ApiException.invalid("tool_choice", "'tool_choice' must be none, auto, required or"
                + " {\"type\": \"function\", \"function\": {\"name\": ...}}");
    }
}
