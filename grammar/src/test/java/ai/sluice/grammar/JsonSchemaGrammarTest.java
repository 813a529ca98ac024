package ai.sluice.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonSchemaGrammarTest {
    private static final JsonNode PERSON = SchemaSamples.parse(SchemaSamples.PERSON);
    private static final Grammar PERSON_GRAMMAR = JsonSchemaGrammar.fromSchema(PERSON);

    @Test
    void acceptsDocumentsOfTheSchemaAndRejectsOthers() {
        Grammar g = PERSON_GRAMMAR;
        assertThat(g.matches("{\"name\": \"Ann\", \"age\": 31, \"tags\": [\"a\", \"ü\"], \"kind\": \"person\"}")).isTrue();
        assertThat(g.matches("""
                {
                  "name": "Bo",
                  "age": -4,
                  "score": 1.5e3,
                  "ok": true,
                  "tags": ["b\\"q"],
                  "kind": "person",
                  "id": "AB12",
                  "when": "2024-02-29",
                  "address": {"city": "Oslo", "zip": 123}
                }""")).isTrue();
        assertThat(g.matches("{\"name\": \"Ann\", \"age\": 31, \"tags\": [], \"kind\": \"person\"}"))
                .as("minItems 1").isFalse();
        assertThat(g.matches("{\"name\": \"Ann\", \"tags\": [\"a\"], \"kind\": \"person\"}")).as("age required").isFalse();
        assertThat(g.matches("{\"name\": \"Annabelle\", \"age\": 1, \"tags\": [\"a\"], \"kind\": \"person\"}"))
                .as("maxLength 6").isFalse();
        assertThat(g.matches("{\"name\": \"A\", \"age\": 1, \"tags\": [\"a\"], \"kind\": \"person\", \"x\": 1}"))
                .as("no additional properties").isFalse();
        assertThat(g.matches("{\"name\": \"A\", \"age\": 1.5, \"tags\": [\"a\"], \"kind\": \"person\"}"))
                .as("integer").isFalse();
        assertThat(g.matches("{\"name\": \"A\", \"age\": 1, \"tags\": [\"a\"], \"kind\": \"person\", \"id\": \"A1\"}"))
                .as("pattern").isFalse();
        assertThat(g.isPrefix("{\"name\": \"A")).isTrue();
        assertThat(g.isPrefix("{\"nam\": ")).isFalse();
    }

    @Test
    void jsonObjectAcceptsAnyObjectOnly() {
        Grammar g = JsonSchemaGrammar.anyObject();
        assertThat(g.matches("{\"a\": [1, 2.5, -0.1e-7, \"x\\u00e9\\n\", {\"b\": null}], \"c\": {}, \"d\": true}")).isTrue();
        assertThat(g.matches(" {}")).isTrue();
        assertThat(g.matches("[1]")).isFalse();
        assertThat(g.matches("{\"a\": 01}")).isFalse();
        assertThat(g.matches("{\"a\": \"\u0001\"}")).as("raw control character").isFalse();
        assertThat(g.matches("{} ")).as("nothing after the document").isFalse();
    }

    @Test
    @org.junit.jupiter.api.Timeout(60) // not a speed bound: before, this took time exponential in the depth (hung)
    void deeplyNestedArraysCompileInTimeLinearInTheDepth() {
        int depth = 300; // an array uses its item twice: a DAG that tree walks (records' hashCode) double per level
        Grammar g = JsonSchemaGrammar.fromSchema(SchemaSamples.parse(
                "{\"type\":\"array\",\"items\":".repeat(depth) + "{\"type\":\"integer\"}" + "}".repeat(depth)));
        assertThat(g.matches("[".repeat(depth) + "7" + "]".repeat(depth))).isTrue();
        assertThat(g.matches("[".repeat(depth) + "1, 2" + "]".repeat(depth))).isTrue();
        assertThat(g.matches("[".repeat(depth) + "[]" + "]".repeat(depth))).as("one level too deep").isFalse();
        assertThat(g.matches("[".repeat(depth - 1) + "7" + "]".repeat(depth - 1))).as("one level short").isFalse();
    }

    @Test
    void recursiveReferences() {
        Grammar g = JsonSchemaGrammar.fromSchema(SchemaSamples.parse("""
                {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object",
                  "properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                  "required": ["v"]}}}"""));
        assertThat(g.matches("{\"v\": 1, \"kids\": [{\"v\": 2}, {\"v\": 3, \"kids\": [{\"v\": 4}]}]}")).isTrue();
        assertThat(g.matches("{\"v\": 1, \"kids\": [{\"w\": 2}]}")).isFalse();
    }

    @Test
    void unsupportedKeywordsAreNamed() {
        assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(SchemaSamples.parse(
                "{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\", \"minimum\": 3}}}")))
                .isInstanceOfSatisfying(GrammarException.class, e -> {
                    assertThat(e.field()).isEqualTo("minimum");
                    assertThat(e.getMessage()).contains("minimum").contains("#/properties/n");
                });
        assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(SchemaSamples.parse(
                "{\"type\": \"string\", \"format\": \"color\"}")))
                .isInstanceOfSatisfying(GrammarException.class, e -> assertThat(e.field()).isEqualTo("format"));
        assertThatThrownBy(() -> JsonSchemaGrammar.fromSchema(SchemaSamples.parse("{\"$ref\": \"#/$defs/missing\"}")))
                .isInstanceOfSatisfying(GrammarException.class, e -> assertThat(e.field()).isEqualTo("$ref"));
    }

    @Property(tries = 60)
    void everyDocumentTheGrammarAcceptsParsesAndValidates(@ForAll long seed) throws Exception {
        String doc = SchemaSamples.randomDocument(PERSON_GRAMMAR, new Random(seed), 0.5, 4000);
        assertThat(doc).isNotNull();
        JsonNode parsed = SchemaSamples.JSON.readTree(doc);
        assertThat(SchemaSamples.validate(parsed, PERSON, PERSON)).as(doc).isEmpty();
        assertThat(PERSON_GRAMMAR.matches(doc)).isTrue();
    }

    @Property(tries = 30)
    void randomJsonObjectsParse(@ForAll long seed) throws Exception {
        // stop eagerly, so random walks through unbounded JSON end
        String doc = SchemaSamples.randomDocument(JsonSchemaGrammar.anyObject(), new Random(seed), 0.95, 20_000);
        if (doc != null) {
            assertThat(SchemaSamples.JSON.readTree(doc).isObject()).as(doc).isTrue();
        }
    }
}
