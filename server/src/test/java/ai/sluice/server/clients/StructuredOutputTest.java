package ai.sluice.server.clients;

import ai.sluice.grammar.JsonSchemaGrammar;
import ai.sluice.server.ClientTestServer;
import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.models.ChatModel;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Structured output through the real server on the real stories260K engine (vocabulary 512): the
 * model knows nothing of JSON, so every document it writes is the constraint's doing.
 */
class StructuredOutputTest {
    /** Bounded strings and arrays, so every sample ends within the context. */
    private static final String SCHEMA = """
            {"type": "object",
             "properties": {
               "name": {"type": "string", "maxLength": 8},
               "age": {"type": "integer"},
               "mood": {"enum": ["happy", "sad", "sleepy"]},
               "friends": {"type": "array", "items": {"type": "string", "maxLength": 5}, "minItems": 1, "maxItems": 2},
               "pet": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/pet"}]}
             },
             "required": ["name", "age", "mood", "friends"],
             "additionalProperties": false,
             "$defs": {"pet": {"type": "object", "properties": {"kind": {"const": "cat"}, "legs": {"type": "integer"}},
                               "required": ["kind"], "additionalProperties": false}}}
            """;

    @RegisterExtension
    static final ClientTestServer SERVER = new ClientTestServer();

    @Test
    void everySampledAnswerParsesAndMatchesTheSchema() throws Exception {
        Map<String, JsonValue> schemaProperties = SdkJson.members(SCHEMA);
        Set<String> distinct = new HashSet<>();
        for (long seed = 0; seed < 6; seed++) {
            ChatCompletion c = SERVER.openAi().chat().completions().create(ChatCompletionCreateParams.builder()
                    .model(ChatModel.of("stories")).addUserMessage("Describe a person.")
                    .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema
                            .builder().name("person").strict(true).schema(ResponseFormatJsonSchema.JsonSchema.Schema
                                    .builder().additionalProperties(schemaProperties).build()).build()).build())
                    .temperature(1.0).seed(seed).maxCompletionTokens(400).build());
            String text = c.choices().getFirst().message().content().orElseThrow();
            assertThat(c.choices().getFirst().finishReason().asString()).as(text).isEqualTo("stop");
            JsonNode doc = SdkJson.parse(text);
            assertThat(doc.get("name").isTextual() && doc.get("name").asText().codePointCount(0,
                    doc.get("name").asText().length()) <= 8).as(text).isTrue();
            assertThat(doc.get("age").isIntegralNumber()).as(text).isTrue();
            assertThat(doc.get("mood").asText()).as(text).isIn("happy", "sad", "sleepy");
            assertThat(doc.get("friends").size()).as(text).isBetween(1, 2);
            doc.get("friends").forEach(f -> assertThat(f.isTextual()).isTrue());
            if (doc.has("pet") && !doc.get("pet").isNull()) {
                assertThat(doc.get("pet").get("kind").asText()).as(text).isEqualTo("cat");
            }
            Set<String> names = new HashSet<>();
            doc.fieldNames().forEachRemaining(names::add);
            assertThat(Set.of("name", "age", "mood", "friends", "pet")).as(text).containsAll(names);
            distinct.add(text);
        }
        assertThat(distinct).as("different seeds sample different documents").hasSizeGreaterThan(3);
    }

    enum Mood { HAPPY, SAD }

    /** The SDK derives a schema from this record and parses the answer back into it. */
    record Verdict(Mood mood, boolean sure, long count) {
    }

    @Test
    void theSdksClassBasedStructuredOutputParsesIntoARecord() {
        for (long seed = 0; seed < 4; seed++) {
            StructuredChatCompletionCreateParams<Verdict> params = ChatCompletionCreateParams.builder()
                    .model(ChatModel.of("stories")).addUserMessage("How do you feel?")
                    .responseFormat(Verdict.class).temperature(1.0).seed(seed).maxCompletionTokens(200).build();
            StructuredChatCompletion<Verdict> c = SERVER.openAi().chat().completions().create(params);
            Verdict v = c.choices().getFirst().message().content().orElseThrow();
            assertThat(v.mood()).isNotNull();
        }
    }

    @Test
    void aSeededConstrainedRequestIsReproducibleAndStreamsTheSameText() throws Exception {
        String body = """
                {"prompt": "Once upon a time", "max_tokens": 400, "temperature": 1, "seed": 42,
                 "response_format": {"type": "json_schema", "json_schema": {"name": "p", "schema": %s}}%s}""";
        Reply a = SERVER.http().post("/v1/completions", body.formatted(SCHEMA, ""));
        Reply b = SERVER.http().post("/v1/completions", body.formatted(SCHEMA, ""));
        assertThat(a.status()).isEqualTo(200);
        String text = a.json().at("/choices/0/text").asText();
        assertThat(b.json().at("/choices/0/text").asText()).isEqualTo(text);
        Reply streamed = SERVER.http().post("/v1/completions", body.formatted(SCHEMA, ", \"stream\": true"));
        StringBuilder joined = new StringBuilder();
        for (String event : streamed.events()) {
            if (!event.equals("[DONE]")) {
                joined.append(HttpTestClient.JSON.readTree(event).at("/choices/0/text").asText());
            }
        }
        assertThat(joined.toString()).isEqualTo(text);
        assertThat(JsonSchemaGrammar.fromSchema(SdkJson.parse(SCHEMA)).matches(text)).as(text).isTrue();
    }

    @Test
    void vllmAndLlamaCppFieldsConstrainToo() {
        for (int seed = 0; seed < 3; seed++) {
            Reply choice = SERVER.http().post("/v1/completions", "{\"prompt\": \"The cat\", \"max_tokens\": 20, \"temperature\": 1,"
                    + " \"seed\": " + seed + ", \"guided_choice\": [\"yes\", \"no\", \"maybe not\"]}");
            assertThat(choice.json().at("/choices/0/text").asText()).isIn("yes", "no", "maybe not");
            assertThat(choice.json().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            Reply regex = SERVER.http().post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}],"
                    + " \"max_tokens\": 40, \"temperature\": 1, \"seed\": " + seed + ","
                    + " \"structured_outputs\": {\"regex\": \"[A-Z][a-z]{2,6} [0-9]{2}!\"}}");
            assertThat(regex.json().at("/choices/0/message/content").asText()).matches("[A-Z][a-z]{2,6} [0-9]{2}!");
            Reply gbnf = SERVER.http().post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 40, \"temperature\": 1,"
                    + " \"seed\": " + seed + ", \"grammar\": \"root ::= (\\\"la\\\" | \\\"lo\\\"){2,4} \\\"!\\\"\"}");
            assertThat(gbnf.json().at("/choices/0/text").asText()).matches("(la|lo){2,4}!");
            Reply llamaSchema = SERVER.http().post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 40, \"temperature\": 1,"
                    + " \"seed\": " + seed + ", \"json_schema\": {\"type\": \"array\", \"items\": {\"type\": \"boolean\"},"
                    + " \"maxItems\": 3}}");
            JsonNode arr = SdkJson.parse(llamaSchema.json().at("/choices/0/text").asText());
            assertThat(arr.isArray() && arr.size() <= 3).isTrue();
        }
    }

    @Test
    void jsonObjectOutputIsAlwaysAValidPrefixAndParsesWhenItStops() {
        // a story model writes prose into the strings and rarely closes an object within the budget
        for (long seed = 0; seed < 3; seed++) {
            Reply r = SERVER.http().post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}],"
                    + " \"max_tokens\": 120, \"temperature\": 0.7, \"seed\": " + seed
                    + ", \"response_format\": {\"type\": \"json_object\"}}");
            String text = r.json().at("/choices/0/message/content").asText();
            assertThat(JsonSchemaGrammar.anyObject().isPrefix(text)).as(text).isTrue();
            if (r.json().at("/choices/0/finish_reason").asText().equals("stop")) {
                assertThat(SdkJson.parse(text).isObject()).isTrue();
            }
            assertThat(text.strip()).startsWith("{");
        }
    }

    @Test
    void requestSizedGrammarsAreBoundedAndTheLongestBoundsStillServe() {
        Reply huge = SERVER.http().post("/v1/completions",
                "{\"prompt\": \"x\", \"max_tokens\": 4, \"guided_regex\": \"(a{4096}){4096}\"}");
        assertThat(huge.status()).isEqualTo(400);
        assertThat(huge.json().at("/error/param").asText()).isEqualTo("guided_regex");
        assertThat(huge.json().at("/error/message").asText()).contains("too large");
        Reply deep = SERVER.http().post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 4, \"grammar\": \"root ::= "
                + "(".repeat(5000) + "\\\"a\\\"" + ")".repeat(5000) + "\"}");
        assertThat(deep.status()).isEqualTo(400);
        assertThat(deep.json().at("/error/param").asText()).isEqualTo("grammar");
        assertThat(deep.json().at("/error/message").asText()).contains("nested");
        // this one overflowed the stack before: the optional chain of a 4096 bound was built recursively
        Reply longest = SERVER.http().post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 6, \"temperature\": 0,"
                + " \"json_schema\": {\"type\": \"string\", \"maxLength\": 4096}}");
        assertThat(longest.status()).isEqualTo(200);
        String text = longest.json().at("/choices/0/text").asText();
        assertThat(text).isNotEmpty();
        assertThat(JsonSchemaGrammar.fromSchema(SdkJson.parse("{\"type\": \"string\", \"maxLength\": 4096}"))
                .isPrefix(text)).as(text).isTrue();
    }

    @Test
    void unsupportedSchemaKeywordsAre400sNamingTheKeyword() {
        assertThatThrownBy(() -> SERVER.openAi().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.of("stories")).addUserMessage("x")
                .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema
                        .builder().name("n").schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("n",
                                        Map.of("type", "integer", "multipleOf", 3)))).build()).build()).build())
                .build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.getMessage()).contains("multipleOf");
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("response_format.json_schema.schema");
                });
    }
}
