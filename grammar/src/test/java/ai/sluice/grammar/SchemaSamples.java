package ai.sluice.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test helpers: schemas, random documents drawn from a grammar, and a small validator for the supported keywords. */
final class SchemaSamples {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A nested schema with most supported keywords, and bounded strings so random walks end. */
    static final String PERSON = """
            {"type": "object",
             "$defs": {"tag": {"type": "string", "enum": ["a", "b\\"q", "ü"]}},
             "properties": {
               "name": {"type": "string", "maxLength": 6},
               "age": {"type": "integer"},
               "score": {"type": ["number", "null"]},
               "ok": {"type": "boolean"},
               "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}, "minItems": 1, "maxItems": 3},
               "kind": {"const": "person"},
               "id": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{1,3}$"},
               "when": {"type": "string", "format": "date"},
               "address": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 4},
                           "zip": {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 3}]}},
                           "required": ["city"], "additionalProperties": false}
             },
             "required": ["name", "age", "tags", "kind"],
             "additionalProperties": false}
            """;

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A random document of the grammar: random allowed bytes, ending when complete with probability
     * {@code stop}, or null when it did not end within {@code maxBytes}.
     */
    static String randomDocument(Grammar g, Random random, double stop, int maxBytes) {
        GrammarState s = g.start();
        byte[] out = new byte[maxBytes];
        int n = 0;
        int[] allowed = new int[256];
        while (n < maxBytes) {
            if (s.isComplete() && (!s.canContinue() || random.nextDouble() < stop)) {
                return new String(out, 0, n, StandardCharsets.UTF_8);
            }
            int k = 0;
            for (int b = 0; b < 256; b++) {
                if (g.advance(s, b) != null) {
                    allowed[k++] = b;
                }
            }
            if (k == 0) {
                throw new AssertionError("dead state after " + new String(out, 0, n, StandardCharsets.UTF_8));
            }
            int b = allowed[random.nextInt(k)];
            out[n++] = (byte) b;
            s = g.advance(s, b);
        }
        return null;
    }

    /** Errors of {@code v} against {@code schema} (the keywords the compiler supports); empty when valid. */
    static List<String> validate(JsonNode v, JsonNode schema, JsonNode root) {
        List<String> errors = new ArrayList<>();
        check(v, schema, root, "$", errors);
        return errors;
    }

    private static void check(JsonNode v, JsonNode s, JsonNode root, String at, List<String> errors) {
        if (s.has("$ref")) {
            String ref = s.get("$ref").asText();
            check(v, ref.equals("#") ? root : root.at(ref.substring(1)), root, at, errors);
            return;
        }
        if (s.has("const") && !s.get("const").equals(v)) {
            errors.add(at + ": not the const");
        }
        if (s.has("enum")) {
            boolean found = false;
            for (JsonNode e : s.get("enum")) {
                found |= e.equals(v);
            }
            if (!found) {
                errors.add(at + ": not in enum");
            }
        }
        for (String k : List.of("anyOf", "oneOf")) {
            if (s.has(k)) {
                boolean any = false;
                for (JsonNode option : s.get(k)) {
                    any |= validate(v, option, root).isEmpty();
                }
                if (!any) {
                    errors.add(at + ": matches none of " + k);
                }
            }
        }
        JsonNode type = s.get("type");
        if (type != null) {
            boolean ok = false;
            for (JsonNode t : type.isArray() ? type : JSON.createArrayNode().add(type)) {
                ok |= switch (t.asText()) {
                    case "string" -> v.isTextual();
                    case "integer" -> v.isIntegralNumber();
                    case "number" -> v.isNumber();
                    case "boolean" -> v.isBoolean();
                    case "null" -> v.isNull();
                    case "object" -> v.isObject();
                    case "array" -> v.isArray();
                    default -> false;
                };
            }
            if (!ok) {
                errors.add(at + ": not of type " + type);
                return;
            }
        }
        if (v.isTextual()) {
            String text = v.asText();
            int len = text.codePointCount(0, text.length());
            if (s.has("maxLength") && len > s.get("maxLength").asInt()) {
                errors.add(at + ": longer than maxLength");
            }
            if (s.has("minLength") && len < s.get("minLength").asInt()) {
                errors.add(at + ": shorter than minLength");
            }
            if (s.has("pattern") && !java.util.regex.Pattern.compile(s.get("pattern").asText()).matcher(text).find()) {
                errors.add(at + ": does not match pattern");
            }
            if ("date".equals(s.path("format").asText()) && !text.matches("\\d{4}-\\d{2}-\\d{2}")) {
                errors.add(at + ": not a date");
            }
        }
        if (v.isObject()) {
            JsonNode props = s.path("properties");
            for (JsonNode r : s.path("required")) {
                if (!v.has(r.asText())) {
                    errors.add(at + ": missing " + r.asText());
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (props.has(e.getKey())) {
                    check(e.getValue(), props.get(e.getKey()), root, at + "." + e.getKey(), errors);
                } else if (s.path("additionalProperties").isBoolean() && !s.get("additionalProperties").asBoolean()) {
                    errors.add(at + ": unexpected property " + e.getKey());
                }
            }
        }
        if (v.isArray()) {
            if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
                errors.add(at + ": fewer than minItems");
            }
            if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
                errors.add(at + ": more than maxItems");
            }
            if (s.has("items")) {
                for (int i = 0; i < v.size(); i++) {
                    check(v.get(i), s.get("items"), root, at + "[" + i + "]", errors);
                }
            }
        }
    }

    private SchemaSamples() {
    }
}
