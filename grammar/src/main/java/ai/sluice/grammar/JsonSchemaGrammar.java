package ai.sluice.grammar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON documents as a grammar: any JSON value or object ({@code json_object}), or the documents a JSON
 * Schema allows. Supported: {@code type} (one or a list), {@code properties}/{@code required}/
 * {@code additionalProperties}, {@code enum}/{@code const}, {@code items}/{@code prefixItems}/
 * {@code minItems}/{@code maxItems}, {@code anyOf}/{@code oneOf} (both as "one of these"; generation
 * cannot promise oneOf's exclusivity), {@code allOf} of one schema, {@code $ref} into {@code $defs}/
 * {@code definitions} or {@code #} (recursion allowed), string {@code minLength}/{@code maxLength}/
 * {@code pattern}/{@code format} (date, time, date-time, uuid, email, ipv4, hostname, uri). Annotations
 * (title, description, default, examples, ...) are ignored; any other keyword is a
 * {@link GrammarException} naming it, never silently dropped.
 *
 * <p>Generation choices (documented in the README): properties come in the schema's order;
 * {@code additionalProperties} left out means none (as OpenAI's strict mode and xgrammar); whitespace
 * is limited to one space or a newline and up to 20 indentation characters between tokens; numbers
 * have at most 16 integer and 16 fraction digits; no whitespace after the document, so the end of
 * the document is the end of generation.
 */
public final class JsonSchemaGrammar {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment",
            "default", "examples", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");

    /**
     * The code points a JSON string may hold unescaped: no control characters, quote or backslash.
     * Also what a JSON Schema pattern's characters may be written as raw ({@link RegexGrammar}).
     */
    static final List<int[]> RAW_IN_STRING = List.of(new int[] {0x20, 0x21}, new int[] {0x23, 0x5B},
            new int[] {0x5D, Utf8.MAX});

    private final GrammarBuilder b;
    private final String prefix;
    private final JsonNode root;
    private final Map<String, String> refRules = new HashMap<>();
    private int counter;

    private JsonSchemaGrammar(JsonNode root, GrammarBuilder into, String prefix) {
        this.root = root;
        this.b = into;
        this.prefix = prefix;
        if (!into.has("ws")) {
            defineBasics(into);
        }
    }

    /** Any JSON object ({@code response_format: json_object}). */
    public static Grammar anyObject() {
        GrammarBuilder g = new GrammarBuilder();
        defineBasics(g);
        g.define("root", Expr.seq(Expr.ref("ws"), Expr.ref("object")));
        return g.build("root");
    }

    /** Any JSON value. */
    public static Grammar anyValue() {
        GrammarBuilder g = new GrammarBuilder();
        defineBasics(g);
        g.define("root", Expr.seq(Expr.ref("ws"), Expr.ref("value")));
        return g.build("root");
    }

    /** The documents {@code schema} allows, with leading whitespace allowed. */
    public static Grammar fromSchema(JsonNode schema) {
        GrammarBuilder g = new GrammarBuilder();
        Expr value = new JsonSchemaGrammar(schema, g, "").schema(schema, "#");
        g.define("root", Expr.seq(Expr.ref("ws"), value));
        return g.build("root");
    }

    /**
     * The schema's value as an expression inside a larger grammar (tool calls); the basic JSON rules are
     * added to {@code into} once, the schema's own rules under {@code prefix}.
     */
    public static Expr valueOf(JsonNode schema, GrammarBuilder into, String prefix) {
        return new JsonSchemaGrammar(schema, into, prefix).schema(schema, "#");
    }

    /** ws, value, object, array, string, number, integer and friends. */
    static void defineBasics(GrammarBuilder g) {
        Expr indent = Expr.repeat(Expr.bytes(ByteSet.of(' ', '\t')), 0, 20);
        g.define("ws", Expr.optional(Expr.alt(Expr.literal(" "), Expr.seq(Expr.literal("\n"), indent))));
        Expr hex = Expr.bytes(ByteSet.range('0', '9').union(ByteSet.range('a', 'f')).union(ByteSet.range('A', 'F')));
        // a \\u escape of a surrogate only as a high-low pair: a lone one is not text (parsers reject it)
        ByteSet d = ByteSet.of('d', 'D');
        Expr notSurrogate = Expr.alt(
                Expr.seq(Expr.bytes(ByteSet.range('0', '9').union(ByteSet.range('a', 'c')).union(ByteSet.range('A', 'C'))
                        .union(ByteSet.of('e', 'f', 'E', 'F'))), hex, hex, hex),
                Expr.seq(Expr.bytes(d), Expr.bytes(ByteSet.range('0', '7')), hex, hex));
        Expr pair = Expr.seq(Expr.bytes(d), Expr.bytes(ByteSet.of('8', '9', 'a', 'b', 'A', 'B')), hex, hex,
                Expr.literal("\\u"), Expr.bytes(d), Expr.bytes(ByteSet.range('c', 'f').union(ByteSet.range('C', 'F'))), hex, hex);
        Expr escape = Expr.seq(Expr.literal("\\"), Expr.alt(Expr.bytes(ByteSet.of('"', '\\', '/', 'b', 'f', 'n', 'r', 't')),
                Expr.seq(Expr.literal("u"), Expr.alt(notSurrogate, pair))));
        g.define("char", Expr.alt(Utf8.ranges(RAW_IN_STRING), escape));
        g.define("string", Expr.seq(Expr.literal("\""), Expr.star(Expr.ref("char")), Expr.literal("\"")));
        Expr digit = Expr.bytes(ByteSet.range('0', '9'));
        Expr intPart = Expr.seq(Expr.optional(Expr.literal("-")), Expr.alt(Expr.literal("0"),
                Expr.seq(Expr.bytes(ByteSet.range('1', '9')), Expr.repeat(digit, 0, 15))));
        g.define("integer", intPart);
        g.define("number", Expr.seq(intPart, Expr.optional(Expr.seq(Expr.literal("."), Expr.repeat(digit, 1, 16))),
                Expr.optional(Expr.seq(Expr.bytes(ByteSet.of('e', 'E')), Expr.optional(Expr.bytes(ByteSet.of('+', '-'))),
                        Expr.repeat(digit, 1, 3)))));
        g.define("boolean", Expr.alt(Expr.literal("true"), Expr.literal("false")));
        g.define("null", Expr.literal("null"));
        Expr comma = Expr.seq(Expr.ref("ws"), Expr.literal(","), Expr.ref("ws"));
        Expr member = Expr.seq(Expr.ref("string"), Expr.ref("ws"), Expr.literal(":"), Expr.ref("ws"), Expr.ref("value"));
        g.define("object", Expr.seq(Expr.literal("{"), Expr.ref("ws"),
                Expr.optional(Expr.seq(member, Expr.star(Expr.seq(comma, member)), Expr.ref("ws"))), Expr.literal("}")));
        g.define("array", Expr.seq(Expr.literal("["), Expr.ref("ws"),
                Expr.optional(Expr.seq(Expr.ref("value"), Expr.star(Expr.seq(comma, Expr.ref("value"))), Expr.ref("ws"))),
                Expr.literal("]")));
        g.define("value", Expr.alt(Expr.ref("object"), Expr.ref("array"), Expr.ref("string"), Expr.ref("number"),
                Expr.ref("boolean"), Expr.ref("null")));
    }

    private Expr schema(JsonNode s, String path) {
        if (s.isBoolean()) {
            if (!s.asBoolean()) {
                throw new GrammarException("false", "the schema at " + path + " is 'false': no value matches it");
            }
            return Expr.ref("value");
        }
        if (!s.isObject()) {
            throw new GrammarException("schema", "the schema at " + path + " must be an object or a boolean");
        }
        if (s.has("$ref")) {
            only(s, path, Set.of("$ref"));
            return ref(s.get("$ref").asText(), path);
        }
        if (s.has("const")) {
            only(s, path, Set.of("const", "type", "enum"));
            return literal(s.get("const"));
        }
        if (s.has("enum")) {
            only(s, path, Set.of("enum", "type"));
            JsonNode values = s.get("enum");
            if (!values.isArray() || values.isEmpty()) {
                throw new GrammarException("enum", "'enum' at " + path + " must be a non-empty array");
            }
            List<Expr> options = new ArrayList<>();
            for (JsonNode v : values) {
                options.add(literal(v));
            }
            return Expr.alt(options);
        }
        for (String k : List.of("anyOf", "oneOf")) {
            if (s.has(k)) {
                only(s, path, Set.of(k));
                JsonNode list = s.get(k);
                if (!list.isArray() || list.isEmpty()) {
                    throw new GrammarException(k, "'" + k + "' at " + path + " must be a non-empty array");
                }
                List<Expr> options = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    options.add(schema(list.get(i), path + "/" + k + "/" + i));
                }
                return Expr.alt(options);
            }
        }
        if (s.has("allOf")) {
            JsonNode list = s.get("allOf");
            only(s, path, Set.of("allOf"));
            if (!list.isArray() || list.size() != 1) {
                throw new GrammarException("allOf", "'allOf' at " + path + " is supported only with one schema");
            }
            return schema(list.get(0), path + "/allOf/0");
        }
        JsonNode type = s.get("type");
        if (type == null) {
            String inferred = inferType(s);
            if (inferred == null) {
                only(s, path, Set.of());
                return Expr.ref("value");
            }
            return typed(s, inferred, path);
        }
        if (type.isArray()) {
            List<Expr> options = new ArrayList<>();
            for (JsonNode t : type) {
                options.add(typed(s, t.asText(), path));
            }
            if (options.isEmpty()) {
                throw new GrammarException("type", "'type' at " + path + " is an empty list");
            }
            return Expr.alt(options);
        }
        return typed(s, type.asText(), path);
    }

    private static String inferType(JsonNode s) {
        if (s.has("properties") || s.has("additionalProperties") || s.has("required")) {
            return "object";
        }
        if (s.has("items") || s.has("prefixItems") || s.has("minItems") || s.has("maxItems")) {
            return "array";
        }
        if (s.has("pattern") || s.has("format") || s.has("minLength") || s.has("maxLength")) {
            return "string";
        }
        return null;
    }

    private Expr typed(JsonNode s, String type, String path) {
        return switch (type) {
            case "string" -> string(s, path);
            case "integer" -> {
                only(s, path, Set.of("type"));
                yield Expr.ref("integer");
            }
            case "number" -> {
                only(s, path, Set.of("type"));
                yield Expr.ref("number");
            }
            case "boolean" -> {
                only(s, path, Set.of("type"));
                yield Expr.ref("boolean");
            }
            case "null" -> {
                only(s, path, Set.of("type"));
                yield Expr.ref("null");
            }
            case "object" -> object(s, path);
            case "array" -> array(s, path);
            default -> throw new GrammarException("type", "unknown type '" + type + "' at " + path);
        };
    }

    private Expr string(JsonNode s, String path) {
        only(s, path, Set.of("type", "minLength", "maxLength", "pattern", "format"));
        Expr q = Expr.literal("\"");
        if (s.has("pattern")) {
            if (s.has("format") || s.has("minLength") || s.has("maxLength")) {
                throw new GrammarException("pattern", "'pattern' at " + path
                        + " together with format or minLength/maxLength is not supported");
            }
            return Expr.seq(q, pattern(s.get("pattern").asText(), "pattern", true), q);
        }
        if (s.has("format")) {
            if (s.has("minLength") || s.has("maxLength")) {
                throw new GrammarException("format", "'format' at " + path + " together with minLength/maxLength is not supported");
            }
            return Expr.seq(q, format(s.get("format").asText(), path), q);
        }
        int min = nonNegative(s, "minLength", 0, path);
        int max = nonNegative(s, "maxLength", -1, path);
        if (max >= 0 && max < min) {
            throw new GrammarException("maxLength", "'maxLength' at " + path + " is below 'minLength'");
        }
        if (min == 0 && max < 0) {
            return Expr.ref("string");
        }
        return Expr.seq(q, Expr.repeat(Expr.ref("char"), min, max), q);
    }

    private static Expr pattern(String regex, String field, boolean searchSemantics) {
        RegexGrammar.Parsed p = RegexGrammar.parse(regex, field, true);
        Expr any = Expr.star(Expr.ref("char"));
        List<Expr> parts = new ArrayList<>();
        if (searchSemantics && !p.anchoredStart()) {
            parts.add(any); // JSON Schema patterns match anywhere unless anchored
        }
        parts.add(p.expr());
        if (searchSemantics && !p.anchoredEnd()) {
            parts.add(any);
        }
        return Expr.seq(parts);
    }

    private static Expr format(String format, String path) {
        String date = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])";
        String time = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])";
        String regex = switch (format) {
            case "date" -> date;
            case "time" -> time;
            case "date-time" -> date + "T" + time;
            case "uuid" -> "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
            case "email" -> "[a-zA-Z0-9._%+-]{1,64}@[a-zA-Z0-9-]{1,63}(\\.[a-zA-Z0-9-]{1,63}){1,4}";
            case "ipv4" -> "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
            case "hostname" -> "[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?){0,8}";
            case "uri" -> "[a-zA-Z][a-zA-Z0-9+.-]{0,15}:[^\\s\"\\\\<>]{1,2000}";
            default -> throw new GrammarException("format", "string format '" + format + "' at " + path
                    + " is not supported (date, time, date-time, uuid, email, ipv4, hostname, uri are)");
        };
        return RegexGrammar.parse(regex, "format", true).expr();
    }

    private Expr object(JsonNode s, String path) {
        only(s, path, Set.of("type", "properties", "required", "additionalProperties"));
        JsonNode props = s.path("properties");
        if (!props.isMissingNode() && !props.isObject()) {
            throw new GrammarException("properties", "'properties' at " + path + " must be an object");
        }
        Set<String> required = new HashSet<>();
        for (JsonNode r : s.path("required")) {
            required.add(r.asText());
        }
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = props.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            names.add(e.getKey());
            values.add(schema(e.getValue(), path + "/properties/" + e.getKey()));
        }
        for (String r : required) {
            if (!names.contains(r)) {
                throw new GrammarException("required", "required property '" + r + "' at " + path
                        + " is not in 'properties'");
            }
        }
        JsonNode additional = s.get("additionalProperties");
        Expr extra = null; // the value of an additional property, or null for none
        if (additional != null && !(additional.isBoolean() && !additional.asBoolean())) {
            extra = schema(additional, path + "/additionalProperties");
        } else if (additional == null && props.isMissingNode()) {
            extra = Expr.ref("value"); // a bare {"type": "object"}: any object
        }
        String id = prefix + "obj" + (counter++);
        Expr comma = Expr.seq(Expr.ref("ws"), Expr.literal(","), Expr.ref("ws"));
        int n = names.size();
        // F_i: nothing written yet, at property i; T_i: something written, at property i
        String extraMember = null;
        if (extra != null) {
            extraMember = id + "x";
            b.define(extraMember, Expr.seq(Expr.ref("string"), Expr.ref("ws"), Expr.literal(":"), Expr.ref("ws"), extra));
        }
        b.define(id + "F" + n, extraMember == null ? Expr.EMPTY
                : Expr.optional(Expr.seq(Expr.ref(extraMember), Expr.star(Expr.seq(comma, Expr.ref(extraMember))))));
        b.define(id + "T" + n, extraMember == null ? Expr.EMPTY
                : Expr.star(Expr.seq(comma, Expr.ref(extraMember))));
        for (int i = n - 1; i >= 0; i--) {
            Expr kv = Expr.seq(literal(JSON.getNodeFactory().textNode(names.get(i))), Expr.ref("ws"), Expr.literal(":"),
                    Expr.ref("ws"), values.get(i));
            boolean optional = !required.contains(names.get(i));
            Expr f = Expr.seq(kv, Expr.ref(id + "T" + (i + 1)));
            Expr t = Expr.seq(comma, kv, Expr.ref(id + "T" + (i + 1)));
            b.define(id + "F" + i, optional ? Expr.alt(f, Expr.ref(id + "F" + (i + 1))) : f);
            b.define(id + "T" + i, optional ? Expr.alt(t, Expr.ref(id + "T" + (i + 1))) : t);
        }
        return Expr.seq(Expr.literal("{"), Expr.ref("ws"), Expr.ref(id + "F0"), Expr.ref("ws"), Expr.literal("}"));
    }

    private Expr array(JsonNode s, String path) {
        only(s, path, Set.of("type", "items", "prefixItems", "minItems", "maxItems"));
        int min = nonNegative(s, "minItems", 0, path);
        int max = nonNegative(s, "maxItems", -1, path);
        if (max >= 0 && max < min) {
            throw new GrammarException("maxItems", "'maxItems' at " + path + " is below 'minItems'");
        }
        JsonNode itemsNode = s.get("items");
        boolean noMoreItems = itemsNode != null && itemsNode.isBoolean() && !itemsNode.asBoolean();
        Expr item = itemsNode == null || noMoreItems ? Expr.ref("value") : schema(itemsNode, path + "/items");
        Expr comma = Expr.seq(Expr.ref("ws"), Expr.literal(","), Expr.ref("ws"));
        Expr open = Expr.seq(Expr.literal("["), Expr.ref("ws"));
        Expr close = Expr.seq(Expr.ref("ws"), Expr.literal("]"));
        if (s.has("prefixItems")) {
            if (s.has("minItems") || s.has("maxItems")) {
                throw new GrammarException("prefixItems", "'prefixItems' at " + path
                        + " together with minItems/maxItems is not supported");
            }
            List<Expr> parts = new ArrayList<>();
            parts.add(open);
            JsonNode prefixItems = s.get("prefixItems");
            for (int i = 0; i < prefixItems.size(); i++) {
                if (i > 0) {
                    parts.add(comma);
                }
                parts.add(schema(prefixItems.get(i), path + "/prefixItems/" + i));
            }
            if (!noMoreItems) {
                parts.add(Expr.star(Expr.seq(comma, item)));
            }
            parts.add(close);
            return Expr.seq(parts);
        }
        if (noMoreItems) {
            return Expr.seq(open, close);
        }
        if (max == 0) {
            return Expr.seq(open, close);
        }
        Expr rest = Expr.repeat(Expr.seq(comma, item), Math.max(0, min - 1), max < 0 ? -1 : max - 1);
        Expr items = Expr.seq(item, rest);
        return Expr.seq(open, min == 0 ? Expr.optional(items) : items, close);
    }

    private Expr ref(String ref, String path) {
        String existing = refRules.get(ref);
        if (existing != null) {
            return Expr.ref(existing);
        }
        if (!ref.startsWith("#")) {
            throw new GrammarException("$ref", "'$ref' " + ref + " at " + path + " is not supported (only references"
                    + " inside the schema, such as #/$defs/Name)");
        }
        JsonNode target = ref.equals("#") ? root : root.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw new GrammarException("$ref", "'$ref' " + ref + " at " + path + " points to nothing");
        }
        String name = prefix + "ref" + (counter++);
        refRules.put(ref, name); // before compiling the target: it may refer to itself
        b.define(name, schema(target, ref));
        return Expr.ref(name);
    }

    private static Expr literal(JsonNode value) {
        try {
            return Expr.literal(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new GrammarException("enum", "cannot write " + value);
        }
    }

    private static int nonNegative(JsonNode s, String key, int absent, String path) {
        JsonNode v = s.get(key);
        if (v == null) {
            return absent;
        }
        // canConvertToInt alone lets 1.5 through (as 1); JSON Schema allows 2.0 as an integer
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > Expr.Repeat.MAX_COUNT) {
            throw new GrammarException(key, "'" + key + "' at " + path + " must be an integer in 0.." + Expr.Repeat.MAX_COUNT);
        }
        return v.asInt();
    }

    /** Rejects any keyword of {@code s} that is neither in {@code allowed} nor an annotation. */
    private static void only(JsonNode s, String path, Set<String> allowed) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k) && !ANNOTATIONS.contains(k)) {
                throw new GrammarException(k, "JSON Schema keyword '" + k + "' (at " + path + ") is not supported");
            }
        }
    }
}
