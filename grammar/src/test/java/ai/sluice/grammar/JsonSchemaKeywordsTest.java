package ai.sluice.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Each supported keyword's documents, the generation choices the README names, and each refusal's field. */
class JsonSchemaKeywordsTest {

    private static Grammar schema(String json) {
        return JsonSchemaGrammar.fromSchema(SchemaSamples.parse(json));
    }

    private static void refused(String json, String field, String message) {
        assertThatThrownBy(() -> schema(json)).as(json).isInstanceOfSatisfying(GrammarException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void booleanSchemasAndSchemasWithoutAType() {
        Grammar any = schema("true");
        assertThat(any.matches("[1, {\"a\": null}]")).isTrue();
        assertThat(any.matches("\"x\"")).isTrue();
        refused("false", "false", "no value matches it");
        refused("3", "schema", "must be an object or a boolean");
        Grammar annotated = schema("{\"title\": \"T\", \"description\": \"d\", \"default\": 1, \"examples\": [1]}");
        assertThat(annotated.matches("true")).as("annotations only: any value").isTrue();
        refused("{\"minimum\": 1}", "minimum", "'minimum' (at #) is not supported");
    }

    @Test
    void theTypeIsInferredFromTheKeywords() {
        assertThat(schema("{\"properties\": {\"a\": {\"type\": \"integer\"}}}").matches("{\"a\": 1}")).isTrue();
        assertThat(schema("{\"required\": []}").matches("{}")).isTrue();
        assertThat(schema("{\"additionalProperties\": {\"type\": \"integer\"}}").matches("{\"x\": 2}")).isTrue();
        assertThat(schema("{\"items\": {\"type\": \"integer\"}}").matches("[1, 2]")).isTrue();
        assertThat(schema("{\"prefixItems\": [{\"type\": \"integer\"}]}").matches("[1]")).isTrue();
        assertThat(schema("{\"minItems\": 1}").matches("[]")).isFalse();
        assertThat(schema("{\"maxItems\": 1}").matches("[1, 2]")).isFalse();
        assertThat(schema("{\"pattern\": \"^a$\"}").matches("\"a\"")).isTrue();
        assertThat(schema("{\"format\": \"uuid\"}").matches("\"a\"")).isFalse();
        assertThat(schema("{\"minLength\": 2}").matches("\"a\"")).isFalse();
        assertThat(schema("{\"maxLength\": 1}").matches("\"ab\"")).isFalse();
        assertThat(schema("{\"maxLength\": 1}").matches("\"a\"")).isTrue();
    }

    @Test
    void typesAloneAndInLists() {
        Grammar g = schema("{\"type\": [\"integer\", \"null\", \"boolean\"]}");
        assertThat(g.matches("-12")).isTrue();
        assertThat(g.matches("null")).isTrue();
        assertThat(g.matches("false")).isTrue();
        assertThat(g.matches("1.5")).isFalse();
        assertThat(g.matches("\"1\"")).isFalse();
        assertThat(schema("{\"type\": \"number\"}").matches("-0.25e+3")).isTrue();
        assertThat(schema("{\"type\": \"number\"}").matches("true")).isFalse();
        assertThat(schema("{\"type\": \"boolean\"}").matches("null")).isFalse();
        assertThat(schema("{\"type\": \"null\"}").matches("null")).isTrue();
        assertThat(schema("{\"type\": \"null\"}").matches("0")).isFalse();
        refused("{\"type\": []}", "type", "is an empty list");
        refused("{\"type\": \"date\"}", "type", "unknown type 'date' at #");
        for (String t : new String[] {"integer", "number", "boolean", "null"}) {
            refused("{\"type\": \"" + t + "\", \"maxLength\": 3}", "maxLength", "not supported");
        }
    }

    @Test
    void numbersFollowTheGenerationLimits() {
        Grammar n = schema("{\"type\": \"number\"}");
        assertThat(n.matches("1234567890123456")).as("16 integer digits").isTrue();
        assertThat(n.matches("12345678901234567")).as("17 integer digits").isFalse();
        assertThat(n.matches("0." + "1".repeat(16))).isTrue();
        assertThat(n.matches("0." + "1".repeat(17))).isFalse();
        assertThat(n.matches("1e123")).isTrue();
        assertThat(n.matches("1e1234")).isFalse();
        assertThat(n.matches("1.")).isFalse();
        assertThat(n.matches("-0")).isTrue();
        assertThat(n.matches("01")).isFalse();
        assertThat(n.matches("+1")).isFalse();
        assertThat(schema("{\"type\": \"integer\"}").matches("1e3")).isFalse();
    }

    @Test
    void whitespaceIsOneSpaceOrANewlineWithUpTo20Indentation() {
        Grammar g = schema("{\"type\": \"array\", \"items\": {\"type\": \"integer\"}}");
        assertThat(g.matches("[1, 2]")).isTrue();
        assertThat(g.matches("[\n" + " ".repeat(20) + "1]")).isTrue();
        assertThat(g.matches("[\n" + " ".repeat(21) + "1]")).isFalse();
        assertThat(g.matches("[\n\t\t1\n]")).isTrue();
        assertThat(g.matches("[1,  2]")).as("two spaces").isFalse();
        assertThat(g.matches(" [1]")).as("before the document").isTrue();
        assertThat(g.matches("[1] ")).as("after the document").isFalse();
    }

    @Test
    void stringsHoldEscapesButNoLoneSurrogates() {
        Grammar s = schema("{\"type\": \"string\"}");
        assertThat(s.matches("\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"")).isTrue();
        assertThat(s.matches("\"\\ud83d\\ude00\"")).as("a surrogate pair").isTrue();
        assertThat(s.matches("\"\\uD83D\\uDE00\"")).isTrue();
        assertThat(s.matches("\"\\ud83d\"")).as("a lone high surrogate").isFalse();
        assertThat(s.matches("\"\\ude00\"")).as("a lone low surrogate").isFalse();
        assertThat(s.matches("\"\\ud7ff\\uE000\\uabcd\\uFFFF\"")).as("around the surrogates").isTrue();
        assertThat(s.matches("\"\\x41\"")).isFalse();
        assertThat(s.matches("\"\t\"")).as("a raw tab").isFalse();
        assertThat(s.matches("\"€😀\"")).isTrue();
    }

    @Test
    void constAndEnum() {
        Grammar c = schema("{\"const\": {\"a\": [1, \"x\"]}, \"type\": \"object\"}");
        assertThat(c.matches("{\"a\":[1,\"x\"]}")).isTrue();
        assertThat(c.matches("{\"a\":[1,\"y\"]}")).isFalse();
        Grammar e = schema("{\"enum\": [\"red\", 2, null], \"type\": [\"string\", \"integer\", \"null\"]}");
        assertThat(e.matches("\"red\"")).isTrue();
        assertThat(e.matches("2")).isTrue();
        assertThat(e.matches("null")).isTrue();
        assertThat(e.matches("3")).isFalse();
        refused("{\"const\": 1, \"minimum\": 0}", "minimum", "not supported");
        refused("{\"enum\": [1], \"minimum\": 0}", "minimum", "not supported");
        refused("{\"enum\": []}", "enum", "must be a non-empty array");
        refused("{\"enum\": 1}", "enum", "must be a non-empty array");
    }

    @Test
    void anyOfOneOfAndAllOf() {
        for (String k : new String[] {"anyOf", "oneOf"}) {
            Grammar g = schema("{\"" + k + "\": [{\"type\": \"integer\"}, {\"type\": \"string\", \"maxLength\": 1}]}");
            assertThat(g.matches("5")).isTrue();
            assertThat(g.matches("\"x\"")).isTrue();
            assertThat(g.matches("\"xy\"")).isFalse();
            assertThat(g.matches("true")).isFalse();
            refused("{\"" + k + "\": []}", k, "'" + k + "' at # must be a non-empty array");
            refused("{\"" + k + "\": {}}", k, "must be a non-empty array");
            refused("{\"" + k + "\": [true], \"type\": \"object\"}", "type", "not supported");
            refused("{\"" + k + "\": [{\"type\": \"integer\", \"minimum\": 1}]}", "minimum", "#/" + k + "/0");
        }
        assertThat(schema("{\"allOf\": [{\"type\": \"boolean\"}]}").matches("true")).isTrue();
        assertThat(schema("{\"allOf\": [{\"type\": \"boolean\"}]}").matches("1")).isFalse();
        refused("{\"allOf\": [{\"type\": \"boolean\"}, {\"type\": \"null\"}]}", "allOf", "only with one schema");
        refused("{\"allOf\": {\"type\": \"boolean\"}}", "allOf", "only with one schema");
        refused("{\"allOf\": [{\"maximum\": 1}]}", "maximum", "#/allOf/0");
        refused("{\"allOf\": [{\"type\": \"boolean\"}], \"type\": \"null\"}", "type", "not supported");
    }

    @Test
    void stringLengthsPatternsAndFormats() {
        Grammar len = schema("{\"type\": \"string\", \"minLength\": 2, \"maxLength\": 3}");
        assertThat(len.matches("\"ab\"")).isTrue();
        assertThat(len.matches("\"é😀\"")).as("characters, not bytes").isTrue();
        assertThat(len.matches("\"abc\"")).isTrue();
        assertThat(len.matches("\"a\"")).isFalse();
        assertThat(len.matches("\"abcd\"")).isFalse();
        assertThat(schema("{\"type\": \"string\", \"minLength\": 2}").matches("\"" + "a".repeat(50) + "\"")).isTrue();
        refused("{\"type\": \"string\", \"minLength\": 3, \"maxLength\": 2}", "maxLength", "is below 'minLength'");
        refused("{\"type\": \"string\", \"minLength\": 1, \"maxLength\": 0}", "maxLength", "is below 'minLength'");
        assertThat(schema("{\"type\": \"string\", \"minLength\": 2, \"maxLength\": 2}").matches("\"ab\"")).isTrue();
        assertThat(schema("{\"type\": \"string\", \"maxLength\": 0}").matches("\"\"")).isTrue();
        assertThat(schema("{\"type\": \"string\", \"maxLength\": 0}").matches("\"a\"")).isFalse();
        refused("{\"type\": \"string\", \"minimum\": 1}", "minimum", "not supported");
        refused("{\"type\": \"string\", \"minLength\": -1}", "minLength", "must be an integer in 0..4096");
        refused("{\"type\": \"string\", \"maxLength\": 4097}", "maxLength", "must be an integer in 0..4096");
        refused("{\"type\": \"string\", \"maxLength\": 1.5}", "maxLength", "must be an integer");
        assertThat(schema("{\"type\": \"string\", \"maxLength\": 2.0}").matches("\"ab\"")).as("2.0 is an integer").isTrue();
        refused("{\"type\": \"string\", \"maxLength\": \"2\"}", "maxLength", "must be an integer");
        assertThat(schema("{\"type\": \"string\", \"maxLength\": 4096}").matches("\"a\"")).isTrue();

        Grammar search = schema("{\"type\": \"string\", \"pattern\": \"b+\"}");
        assertThat(search.matches("\"abbc\"")).as("unanchored: anywhere").isTrue();
        assertThat(search.matches("\"ac\"")).isFalse();
        Grammar start = schema("{\"type\": \"string\", \"pattern\": \"^b\"}");
        assertThat(start.matches("\"bc\"")).isTrue();
        assertThat(start.matches("\"ab\"")).isFalse();
        Grammar end = schema("{\"type\": \"string\", \"pattern\": \"b$\"}");
        assertThat(end.matches("\"ab\"")).isTrue();
        assertThat(end.matches("\"ba\"")).isFalse();
        refused("{\"type\": \"string\", \"pattern\": \"a\", \"maxLength\": 3}", "pattern", "together with format");
        refused("{\"type\": \"string\", \"pattern\": \"a\", \"format\": \"date\"}", "pattern", "together with format");
        refused("{\"type\": \"string\", \"pattern\": \"a\", \"minLength\": 1}", "pattern", "together with format");
        refused("{\"type\": \"string\", \"pattern\": \"(a\"}", "pattern", "cannot use the regular expression '(a'");
        refused("{\"type\": \"string\", \"format\": \"date\", \"maxLength\": 3}", "format", "together with minLength");
        refused("{\"type\": \"string\", \"format\": \"date\", \"minLength\": 3}", "format", "together with minLength");
        refused("{\"type\": \"string\", \"format\": \"color\"}", "format", "string format 'color' at #");
    }

    @Test
    void formats() {
        assertFormat("date", "2024-02-29", "2024-13-01");
        assertFormat("time", "23:59:59Z", "24:00:00Z");
        assertFormat("time", "12:30:05.123+01:00", "12:30:05");
        assertFormat("date-time", "2024-01-31T00:00:00Z", "2024-01-31 00:00:00Z");
        assertFormat("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000");
        assertFormat("email", "ann.b+x@mail.example.org", "ann@localhost");
        assertFormat("ipv4", "192.168.0.255", "192.168.0.256");
        assertFormat("hostname", "a-b.example", "-ab.example");
        assertFormat("uri", "https://example.org/a?b=c", "example.org");
    }

    private static void assertFormat(String format, String good, String bad) {
        Grammar g = schema("{\"type\": \"string\", \"format\": \"" + format + "\"}");
        assertThat(g.matches("\"" + good + "\"")).as(format + ": " + good).isTrue();
        assertThat(g.matches("\"" + bad + "\"")).as(format + ": " + bad).isFalse();
    }

    @Test
    void objects() {
        Grammar g = schema("""
                {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"},
                 "c": {"type": "integer"}}, "required": ["b"]}""");
        assertThat(g.matches("{\"b\": 1}")).isTrue();
        assertThat(g.matches("{\"a\": 0, \"b\": 1, \"c\": 2}")).isTrue();
        assertThat(g.matches("{\"a\": 0, \"b\": 1}")).isTrue();
        assertThat(g.matches("{\"b\": 1, \"c\": 2}")).isTrue();
        assertThat(g.matches("{\"b\": 1, \"a\": 0}")).as("the schema's order").isFalse();
        assertThat(g.matches("{\"a\": 0}")).as("b is required").isFalse();
        assertThat(g.matches("{}")).isFalse();
        assertThat(g.matches("{\"b\": 1, \"d\": 2}")).as("no additional properties").isFalse();

        Grammar extra = schema("""
                {"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": {"type": "boolean"}}""");
        assertThat(extra.matches("{\"a\": 1, \"x\": true, \"y\": false}")).isTrue();
        assertThat(extra.matches("{\"x\": true}")).isTrue();
        assertThat(extra.matches("{}")).isTrue();
        assertThat(extra.matches("{\"a\": 1, \"x\": 1}")).isFalse();
        Grammar open = schema("{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": true}");
        assertThat(open.matches("{\"x\": [1]}")).isTrue();
        Grammar closed = schema("{\"type\": \"object\", \"additionalProperties\": false}");
        assertThat(closed.matches("{}")).isTrue();
        assertThat(closed.matches("{\"x\": 1}")).isFalse();
        assertThat(schema("{\"type\": \"object\"}").matches("{\"x\": {\"y\": []}}")).as("a bare object: any").isTrue();
        assertThat(schema("{\"type\": \"object\", \"properties\": {}}").matches("{\"x\": 1}"))
                .as("properties given: none other").isFalse();
        refused("{\"type\": \"object\", \"properties\": []}", "properties", "'properties' at # must be an object");
        refused("{\"type\": \"object\", \"properties\": {}, \"required\": [\"z\"]}", "required",
                "required property 'z' at # is not in 'properties'");
        refused("{\"type\": \"object\", \"minProperties\": 1}", "minProperties", "not supported");
    }

    @Test
    void arrays() {
        Grammar bounded = schema("{\"type\": \"array\", \"items\": {\"type\": \"integer\"}, \"minItems\": 2, \"maxItems\": 3}");
        assertThat(bounded.matches("[1, 2]")).isTrue();
        assertThat(bounded.matches("[1, 2, 3]")).isTrue();
        assertThat(bounded.matches("[1]")).isFalse();
        assertThat(bounded.matches("[1, 2, 3, 4]")).isFalse();
        assertThat(bounded.matches("[1, \"2\"]")).isFalse();
        Grammar optional = schema("{\"type\": \"array\", \"maxItems\": 1}");
        assertThat(optional.matches("[]")).isTrue();
        assertThat(optional.matches("[\"any\"]")).isTrue();
        assertThat(optional.matches("[1, 2]")).isFalse();
        Grammar unbounded = schema("{\"type\": \"array\", \"minItems\": 1}");
        assertThat(unbounded.matches("[1, 2, 3, 4, 5]")).isTrue();
        assertThat(schema("{\"type\": \"array\", \"maxItems\": 0}").matches("[]")).isTrue();
        assertThat(schema("{\"type\": \"array\", \"maxItems\": 0}").matches("[1]")).isFalse();
        assertThat(schema("{\"type\": \"array\", \"items\": false}").matches("[]")).isTrue();
        assertThat(schema("{\"type\": \"array\", \"items\": false}").matches("[1]")).isFalse();

        Grammar tuple = schema("{\"type\": \"array\", \"prefixItems\": [{\"type\": \"integer\"}, {\"type\": \"string\"}]}");
        assertThat(tuple.matches("[1, \"a\"]")).isTrue();
        assertThat(tuple.matches("[1, \"a\", null]")).as("more items: any").isTrue();
        assertThat(tuple.matches("[\"a\", 1]")).isFalse();
        Grammar closedTuple = schema("""
                {"type": "array", "prefixItems": [{"type": "integer"}], "items": false}""");
        assertThat(closedTuple.matches("[1]")).isTrue();
        assertThat(closedTuple.matches("[1, 2]")).isFalse();
        Grammar typedRest = schema("""
                {"type": "array", "prefixItems": [{"type": "integer"}], "items": {"type": "boolean"}}""");
        assertThat(typedRest.matches("[1, true, false]")).isTrue();
        assertThat(typedRest.matches("[1, 2]")).isFalse();

        refused("{\"type\": \"array\", \"minItems\": 3, \"maxItems\": 2}", "maxItems", "is below 'minItems'");
        refused("{\"type\": \"array\", \"minItems\": 1, \"maxItems\": 0}", "maxItems", "is below 'minItems'");
        assertThat(schema("{\"type\": \"array\", \"minItems\": 2, \"maxItems\": 2}").matches("[1, 2]")).isTrue();
        refused("{\"type\": \"array\", \"maxItems\": 5000}", "maxItems", "0..4096");
        refused("{\"type\": \"array\", \"prefixItems\": [true], \"minItems\": 1}", "prefixItems", "together with minItems");
        refused("{\"type\": \"array\", \"prefixItems\": [true], \"maxItems\": 1}", "prefixItems", "together with minItems");
        refused("{\"type\": \"array\", \"uniqueItems\": true}", "uniqueItems", "not supported");
    }

    @Test
    void references() {
        Grammar root = schema("""
                {"type": "object", "properties": {"next": {"anyOf": [{"type": "null"}, {"$ref": "#"}]}},
                 "required": ["next"]}""");
        assertThat(root.matches("{\"next\": {\"next\": null}}")).isTrue();
        assertThat(root.matches("{\"next\": 1}")).isFalse();
        Grammar twice = schema("""
                {"type": "array", "prefixItems": [{"$ref": "#/definitions/d"}, {"$ref": "#/definitions/d"}], "items": false,
                 "definitions": {"d": {"enum": ["x"]}}}""");
        assertThat(twice.matches("[\"x\", \"x\"]")).isTrue();
        assertThat(twice.matches("[\"x\", \"y\"]")).isFalse();
        refused("{\"$ref\": \"other.json#/a\"}", "$ref", "'$ref' other.json#/a at # is not supported");
        refused("{\"$ref\": \"#/$defs/nothing\"}", "$ref", "points to nothing");
        refused("{\"$ref\": \"#/$defs/a\", \"type\": \"string\", \"$defs\": {\"a\": true}}", "type", "not supported");
    }

    @Test
    void schemasEmbeddedInALargerGrammarKeepTheirRulesApart() {
        GrammarBuilder b = new GrammarBuilder();
        Expr first = JsonSchemaGrammar.valueOf(SchemaSamples.parse("""
                {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}"""), b, "f_");
        Expr second = JsonSchemaGrammar.valueOf(SchemaSamples.parse("""
                {"type": "object", "properties": {"b": {"type": "boolean"}}, "required": ["b"]}"""), b, "g_");
        Grammar g = b.define("root", Expr.alt(first, second)).build("root");
        assertThat(g.matches("{\"a\": 1}")).isTrue();
        assertThat(g.matches("{\"b\": true}")).isTrue();
        assertThat(g.matches("{\"a\": true}")).isFalse();
        assertThat(g.matches("{\"b\": 1}")).isFalse();
    }

    @Test
    void anyValueAndAnyObject() {
        assertThat(JsonSchemaGrammar.anyValue().matches("[1, \"a\", {\"b\": null}]")).isTrue();
        assertThat(JsonSchemaGrammar.anyValue().matches(" 12")).isTrue();
        assertThat(JsonSchemaGrammar.anyValue().matches("{")).isFalse();
        assertThat(JsonSchemaGrammar.anyObject().matches("12")).isFalse();
    }
}
