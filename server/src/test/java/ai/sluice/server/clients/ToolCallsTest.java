package ai.sluice.server.clients;

import ai.sluice.grammar.JsonSchemaGrammar;
import ai.sluice.server.ClientTestServer;
import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.ChatModel;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tool calls with the official OpenAI Java SDK against the real server on stories260K. The story
 * model knows no tools, so forced calls ("required", a named function) are the constraint's doing:
 * they must parse and match the function's parameter schema every time.
 */
class ToolCallsTest {
    private static final String WEATHER_PARAMS = """
            {"type": "object", "properties": {"city": {"type": "string", "maxLength": 10},
             "unit": {"enum": ["celsius", "fahrenheit"]}}, "required": ["city", "unit"], "additionalProperties": false}""";
    private static final String TIME_PARAMS = """
            {"type": "object", "properties": {"zone": {"enum": ["UTC", "CET"]}}, "required": ["zone"],
             "additionalProperties": false}""";

    @RegisterExtension
    static final ClientTestServer SERVER = new ClientTestServer();

    private static ChatCompletionFunctionTool tool(String name, String params) {
        return ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name(name)
                .parameters(FunctionParameters.builder().additionalProperties(SdkJson.members(params)).build()).build()).build();
    }

    private ChatCompletionCreateParams.Builder ask(long seed) {
        return ChatCompletionCreateParams.builder().model(ChatModel.of("stories"))
                .addUserMessage("What is the weather in Oslo?").addTool(tool("get_weather", WEATHER_PARAMS))
                .addTool(tool("get_time", TIME_PARAMS)).temperature(1.0).seed(seed).maxCompletionTokens(120);
    }

    @Test
    void aNamedFunctionIsAlwaysCalledWithArgumentsThatMatchItsSchema() throws Exception {
        for (long seed = 0; seed < 2; seed++) {
            ChatCompletion c = SERVER.openAi().chat().completions().create(ask(seed).toolChoice(ChatCompletionToolChoiceOption
                    .ofNamedToolChoice(ChatCompletionNamedToolChoice.builder().function(
                            ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build()).build())).build());
            List<ChatCompletionMessageToolCall> calls = c.choices().getFirst().message().toolCalls().orElseThrow();
            assertThat(calls).hasSize(1);
            var f = calls.getFirst().asFunction().function();
            assertThat(f.name()).isEqualTo("get_weather");
            assertThat(JsonSchemaGrammar.fromSchema(SdkJson.parse(WEATHER_PARAMS)).matches(f.arguments()))
                    .as(f.arguments()).isTrue();
            assertThat(SdkJson.parse(f.arguments()).get("unit").asText()).isIn("celsius", "fahrenheit");
            assertThat(c.choices().getFirst().finishReason().asString()).isEqualTo("tool_calls");
        }
    }

    @Test
    void requiredGivesOneValidCallWithoutParallelCalls() throws Exception {
        for (long seed = 0; seed < 2; seed++) {
            ChatCompletion c = SERVER.openAi().chat().completions().create(ask(seed)
                    .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).parallelToolCalls(false).build());
            List<ChatCompletionMessageToolCall> calls = c.choices().getFirst().message().toolCalls().orElseThrow();
            assertThat(calls).hasSize(1);
            var f = calls.getFirst().asFunction().function();
            assertThat(f.name()).isIn("get_weather", "get_time");
            String schema = f.name().equals("get_weather") ? WEATHER_PARAMS : TIME_PARAMS;
            assertThat(JsonSchemaGrammar.fromSchema(SdkJson.parse(schema)).matches(f.arguments())).as(f.arguments()).isTrue();
        }
    }

    @Test
    void aStreamedForcedCallArrivesAsToolCallDeltas() throws Exception {
        StringBuilder args = new StringBuilder();
        String name = null;
        String finish = null;
        // one call: with parallel calls a story model, knowing no better, keeps listing calls until max_tokens
        try (StreamResponse<ChatCompletionChunk> stream = SERVER.openAi().chat().completions().createStreaming(ask(3)
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).parallelToolCalls(false).build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                for (ChatCompletionChunk.Choice ch : chunk.choices()) {
                    for (var tc : ch.delta().toolCalls().orElse(List.of())) {
                        if (tc.function().isPresent()) {
                            var fn = tc.function().get();
                            if (fn.name().isPresent()) {
                                name = fn.name().get();
                            }
                            args.append(fn.arguments().orElse(""));
                        }
                    }
                    if (ch.finishReason().isPresent()) {
                        finish = ch.finishReason().get().asString();
                    }
                }
            }
        }
        assertThat(name).isIn("get_weather", "get_time");
        assertThat(SdkJson.parse(args.toString()).isObject()).isTrue();
        assertThat(finish).isEqualTo("tool_calls");
    }

    @Test
    void aToolRoundTripCallThenResultThenAnswer() {
        ChatCompletion first = SERVER.openAi().chat().completions().create(ask(1).toolChoice(ChatCompletionToolChoiceOption
                .ofNamedToolChoice(ChatCompletionNamedToolChoice.builder().function(
                        ChatCompletionNamedToolChoice.Function.builder().name("get_time").build()).build())).build());
        var message = first.choices().getFirst().message();
        ChatCompletionMessageToolCall call = message.toolCalls().orElseThrow().getFirst();
        ChatCompletion answer = SERVER.openAi().chat().completions().create(ask(1).addMessage(message)
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.asFunction().id())
                        .content("It is 12:00 UTC.").build())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.NONE).maxCompletionTokens(20).build());
        assertThat(answer.choices().getFirst().message().content()).hasValueSatisfying(t -> assertThat(t).isNotEmpty());
        assertThat(answer.choices().getFirst().message().toolCalls().orElse(List.of())).isEmpty();
    }

    @Test
    void autoLetsTheModelAnswerInTextWhenItWritesNoCall() {
        ChatCompletion c = SERVER.openAi().chat().completions().create(ask(2).maxCompletionTokens(12).build());
        assertThat(c.choices().getFirst().message().content()).hasValueSatisfying(t -> assertThat(t).isNotEmpty());
        assertThat(c.choices().getFirst().finishReason().asString()).isIn("length", "stop");
    }

    @Test
    void badToolsAre400sNamingTheField() {
        assertThatThrownBy(() -> SERVER.openAi().chat().completions().create(ask(0).addTool(tool("bad", "{\"type\": \"object\","
                + " \"properties\": {\"n\": {\"type\": \"integer\", \"exclusiveMinimum\": 0}}}"))
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("exclusiveMinimum");
        Reply unknown = SERVER.http().post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}],"
                + " \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"g\"}}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().at("/error/param").asText()).isEqualTo("tool_choice");
        Reply badName = SERVER.http().post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"no spaces\"}}]}");
        assertThat(badName.json().at("/error/param").asText()).isEqualTo("tools[0].function.name");
    }
}
