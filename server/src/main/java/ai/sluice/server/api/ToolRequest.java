package ai.sluice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * The tools of a chat request: the functions offered (passed to the chat template as Hugging Face
 * does), {@code tool_choice} and {@code parallel_tool_calls}.
 *
 * @param templateTools the {@code tools} list as the template sees it ({@code [{"type": "function", "function": {...}}]})
 */
public record ToolRequest(List<Map<String, Object>> templateTools, List<Function> functions, Choice choice,
                          boolean parallel) {
    private static final ObjectMapper JSON = Json.plain();

    /** One function: its name and its parameters' JSON Schema. */
    public record Function(String name, JsonNode parameters) {
    }

    /** {@code tool_choice}. */
    public sealed interface Choice {
        record None() implements Choice {
        }

        record Auto() implements Choice {
        }

        record Required() implements Choice {
        }

        record Named(String name) implements Choice {
        }
    }

    /** The model may answer with calls that are read back from its text. */
    public boolean readsCalls() {
        return !(choice instanceof Choice.None);
    }

    /**
     * The structured output that forces the calls (as vLLM does, whatever the model's own format):
     * for a named function its arguments' schema; for "required" a JSON list of
     * {@code {"name": ..., "parameters": ...}} objects, one or (with parallel calls) more. Null for
     * none and auto.
     */
    public OutputSpec forcedOutput() {
        return switch (choice) {
            case Choice.Named n -> new OutputSpec.JsonSchema("tools", function(n.name()).parameters());
            case Choice.Required r -> new OutputSpec.JsonSchema("tools", requiredSchema());
            default -> null;
        };
    }

    private JsonNode requiredSchema() {
        ArrayNode options = JSON.createArrayNode();
        for (Function f : functions) {
            ObjectNode call = JSON.createObjectNode().put("type", "object");
            call.putObject("properties").<ObjectNode>set("name", JSON.createObjectNode().put("const", f.name()))
                    .set("parameters", f.parameters());
            call.putArray("required").add("name").add("parameters");
            call.put("additionalProperties", false);
            options.add(call);
        }
        ObjectNode schema = JSON.createObjectNode().put("type", "array").put("minItems", 1);
        if (!parallel) {
            schema.put("maxItems", 1);
        }
        schema.putObject("items").set("anyOf", options);
        return schema;
    }

    public Function function(String name) {
        for (Function f : functions) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw ApiException.invalid("tool_choice", "'tool_choice' names the function '" + name
                + "', which is not among the tools");
    }
}
