package ai.sluice.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the structured-output fields of a completion or chat request: OpenAI's {@code response_format}
 * ({@code text}, {@code json_object}, {@code json_schema}; llama.cpp's {@code json_object} with a
 * {@code schema}), vLLM's {@code structured_outputs} ({@code json}, {@code regex}, {@code choice},
 * {@code grammar}, {@code json_object}) and its older {@code guided_json}/{@code guided_regex}/
 * {@code guided_choice}/{@code guided_grammar}, and llama.cpp's top-level {@code json_schema} and
 * {@code grammar}. At most one may be given; a malformed one is a 400 naming the field.
 */
final class OutputSpecParser {
    private static final ObjectMapper JSON = Json.plain();

    private OutputSpecParser() {
    }

    /** The spec of the request whose fields {@code field} looks up, or null for free text. */
    static OutputSpec parse(Function<String, JsonNode> field) {
        List<OutputSpec> found = new ArrayList<>();
        JsonNode rf = present(field.apply("response_format"));
        if (rf != null) {
            OutputSpec s = responseFormat(rf);
            if (s != null) {
                found.add(s);
            }
        }
        JsonNode so = present(field.apply("structured_outputs"));
        if (so != null) {
            found.add(structuredOutputs(so));
        }
        JsonNode g;
        if ((g = present(field.apply("guided_json"))) != null) {
            found.add(new OutputSpec.JsonSchema("guided_json", schemaValue(g, "guided_json")));
        }
        if ((g = present(field.apply("guided_regex"))) != null) {
            found.add(new OutputSpec.Regex("guided_regex", text(g, "guided_regex")));
        }
        if ((g = present(field.apply("guided_choice"))) != null) {
            found.add(new OutputSpec.Choice("guided_choice", choices(g, "guided_choice")));
        }
        if ((g = present(field.apply("guided_grammar"))) != null) {
            found.add(new OutputSpec.Gbnf("guided_grammar", text(g, "guided_grammar")));
        }
        if ((g = present(field.apply("json_schema"))) != null) {
            found.add(new OutputSpec.JsonSchema("json_schema", schemaValue(g, "json_schema")));
        }
        if ((g = present(field.apply("grammar"))) != null) {
            found.add(new OutputSpec.Gbnf("grammar", text(g, "grammar")));
        }
        if (found.size() > 1) {
            throw ApiException.invalid(found.get(1).field(), "only one structured-output field may be given, got '"
                    + found.get(0).field() + "' and '" + found.get(1).field() + "'");
        }
        return found.isEmpty() ? null : found.getFirst();
    }

    private static OutputSpec responseFormat(JsonNode rf) {
        if (!rf.isObject()) {
            throw ApiException.invalid("response_format", "'response_format' must be an object");
        }
        String type = rf.path("type").asText("");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> {
                JsonNode schema = present(rf.get("schema")); // llama-server's extension
                yield schema == null ? new OutputSpec.AnyJsonObject("response_format")
                        : new OutputSpec.JsonSchema("response_format.schema", schemaValue(schema, "response_format.schema"));
            }
            case "json_schema" -> {
                JsonNode js = rf.get("json_schema");
                if (js == null || !js.isObject()) {
                    throw ApiException.invalid("response_format.json_schema",
                            "'response_format.json_schema' must be an object with a 'schema'");
                }
                JsonNode strict = js.get("strict");
                if (strict != null && !strict.isNull() && !strict.isBoolean()) {
                    throw ApiException.invalid("response_format.json_schema.strict", "'strict' must be a boolean");
                }
                JsonNode schema = present(js.get("schema"));
                if (schema == null) {
                    throw ApiException.invalid("response_format.json_schema.schema",
                            "'response_format.json_schema.schema' is required");
                }
                // strict or not, the output always follows the schema: constrained decoding has no "best effort"
                yield new OutputSpec.JsonSchema("response_format.json_schema.schema",
                        schemaValue(schema, "response_format.json_schema.schema"));
            }
            default -> throw ApiException.invalid("response_format.type",
                    "'response_format.type' must be text, json_object or json_schema, got '" + type + "'");
        };
    }

    private static OutputSpec structuredOutputs(JsonNode so) {
        if (!so.isObject()) {
            throw ApiException.invalid("structured_outputs", "'structured_outputs' must be an object");
        }
        List<OutputSpec> found = new ArrayList<>();
        JsonNode v;
        if ((v = present(so.get("json"))) != null) {
            found.add(new OutputSpec.JsonSchema("structured_outputs.json", schemaValue(v, "structured_outputs.json")));
        }
        if ((v = present(so.get("regex"))) != null) {
            found.add(new OutputSpec.Regex("structured_outputs.regex", text(v, "structured_outputs.regex")));
        }
        if ((v = present(so.get("choice"))) != null) {
            found.add(new OutputSpec.Choice("structured_outputs.choice", choices(v, "structured_outputs.choice")));
        }
        if ((v = present(so.get("grammar"))) != null) {
            found.add(new OutputSpec.Gbnf("structured_outputs.grammar", text(v, "structured_outputs.grammar")));
        }
        if ((v = present(so.get("json_object"))) != null && v.asBoolean(false)) {
            found.add(new OutputSpec.AnyJsonObject("structured_outputs.json_object"));
        }
        if ((v = present(so.get("structural_tag"))) != null) {
            throw ApiException.invalid("structured_outputs.structural_tag", "'structural_tag' is not supported");
        }
        if (found.size() != 1) {
            throw ApiException.invalid("structured_outputs", "'structured_outputs' must hold exactly one of json, regex,"
                    + " choice, grammar, json_object; got " + found.size());
        }
        return found.getFirst();
    }

    /** A schema given as an object or boolean, or as a JSON string holding one (vLLM accepts both). */
    private static JsonNode schemaValue(JsonNode v, String field) {
        if (v.isTextual()) {
            try {
                v = JSON.readTree(v.asText());
            } catch (JsonProcessingException e) {
                throw ApiException.invalid(field, "'" + field + "' is a string but not JSON: " + e.getOriginalMessage());
            }
        }
        if (!v.isObject() && !v.isBoolean()) {
            throw ApiException.invalid(field, "'" + field + "' must be a JSON Schema (an object)");
        }
        return v;
    }

    private static String text(JsonNode v, String field) {
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw ApiException.invalid(field, "'" + field + "' must be a non-empty string");
        }
        return v.asText();
    }

    private static List<String> choices(JsonNode v, String field) {
        if (!v.isArray() || v.isEmpty()) {
            throw ApiException.invalid(field, "'" + field + "' must be a non-empty list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode c : v) {
            if (!c.isTextual() || c.asText().isEmpty()) {
                throw ApiException.invalid(field, "'" + field + "' must hold non-empty strings, got " + c);
            }
            out.add(c.asText());
        }
        return out;
    }

    private static JsonNode present(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n;
    }
}
