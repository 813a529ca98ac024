package ai.sluice.server.clients;

import ai.sluice.server.ClientTestServer;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LangChain4j's OpenAI chat models (plain and streaming) against a running server. */
class LangChain4jTest {
    private static final String KEY = "sk-lc4j-test";

    @RegisterExtension
    static final ClientTestServer SERVER = ClientTestServer.withApiKey(KEY);

    @Test
    void chatModelAnswers() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(SERVER.baseUrl()).apiKey(KEY).modelName("stories")
                .temperature(0.0).maxTokens(12).maxRetries(0).build();
        ChatResponse response = model.chat(UserMessage.from("Tell me a story."));
        assertThat(response.aiMessage().text()).isNotEmpty();
        assertThat(response.tokenUsage().outputTokenCount()).isBetween(1, 12);
        assertThat(response.finishReason()).isNotNull();
    }

    @Test
    void streamingChatModelStreamsTheSameAnswer() throws Exception {
        OpenAiChatModel plain = OpenAiChatModel.builder().baseUrl(SERVER.baseUrl()).apiKey(KEY).modelName("stories")
                .temperature(0.0).maxTokens(12).maxRetries(0).build();
        String whole = plain.chat(UserMessage.from("Tell me a story.")).aiMessage().text();
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(SERVER.baseUrl()).apiKey(KEY)
                .modelName("stories").temperature(0.0).maxTokens(12).build();
        StringBuilder partials = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(List.of(UserMessage.from("Tell me a story.")), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(60, TimeUnit.SECONDS);
        assertThat(partials.toString()).isEqualTo(whole);
        assertThat(response.aiMessage().text()).isEqualTo(whole);
    }

    @Test
    void wrongKeyFails() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(SERVER.baseUrl()).apiKey("sk-wrong").modelName("stories")
                .maxRetries(0).build();
        assertThatThrownBy(() -> model.chat("hi")).hasMessageContaining("API key");
    }

    @Test
    void aJsonSchemaAnswerParsesIntoTheSchemasShape() throws Exception {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(SERVER.baseUrl()).apiKey(KEY).modelName("stories")
                // room for the grammar's whitespace too: at 60 tokens an unlucky sample ran out mid-object
                .temperature(1.0).maxTokens(200).maxRetries(0)
                .supportedCapabilities(dev.langchain4j.model.chat.Capability.RESPONSE_FORMAT_JSON_SCHEMA)
                .strictJsonSchema(true).build();
        dev.langchain4j.model.chat.request.json.JsonObjectSchema root = dev.langchain4j.model.chat.request.json
                .JsonObjectSchema.builder().addEnumProperty("mood", List.of("happy", "sad")).addBooleanProperty("sure")
                .required("mood", "sure").build();
        ChatResponse response = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(UserMessage.from("How do you feel?"))
                .responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.builder()
                        .type(dev.langchain4j.model.chat.request.ResponseFormatType.JSON)
                        .jsonSchema(dev.langchain4j.model.chat.request.json.JsonSchema.builder().name("feeling")
                                .rootElement(root).build()).build()).build());
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(response.aiMessage().text());
        assertThat(doc.get("mood").asText()).isIn("happy", "sad");
        assertThat(doc.get("sure").isBoolean()).isTrue();
    }

    @Test
    void aToolRoundTripCallResultAnswer() {
        // one call: a story model asked for "required" calls in parallel keeps listing them until max_tokens
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(SERVER.baseUrl()).apiKey(KEY).modelName("stories")
                .temperature(1.0).maxTokens(100).maxRetries(0).parallelToolCalls(false).build();
        dev.langchain4j.agent.tool.ToolSpecification time = dev.langchain4j.agent.tool.ToolSpecification.builder()
                .name("get_time").description("The time in a zone").parameters(dev.langchain4j.model.chat.request.json
                        .JsonObjectSchema.builder().addEnumProperty("zone", List.of("UTC", "CET")).required("zone").build())
                .build();
        UserMessage question = UserMessage.from("What time is it?");
        ChatResponse call = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder().messages(question)
                .toolSpecifications(time).toolChoice(dev.langchain4j.model.chat.request.ToolChoice.REQUIRED).build());
        assertThat(call.aiMessage().toolExecutionRequests()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("get_time");
            assertThat(r.arguments()).containsAnyOf("\"UTC\"", "\"CET\"");
        });
        var request = call.aiMessage().toolExecutionRequests().getFirst();
        ChatResponse answer = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(question, call.aiMessage(), dev.langchain4j.data.message.ToolExecutionResultMessage.from(request,
                        "12:00"))
                .toolSpecifications(time).toolChoice(dev.langchain4j.model.chat.request.ToolChoice.AUTO).build());
        assertThat(answer.aiMessage().text()).isNotEmpty();
    }
}
