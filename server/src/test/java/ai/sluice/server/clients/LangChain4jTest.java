package ai.sluice.server.clients;

import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.TestServers;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.server.http.AccessLog;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LangChain4j's OpenAI chat models (plain and streaming) against a running server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LangChain4jTest {
    private static final String KEY = "sk-lc4j-test";
    private ServedModel servedModel;
    private SluiceServer server;
    private String baseUrl;

    @BeforeAll
    void start() {
        servedModel = TestServers.servedModel();
        ServerConfig config = TestServers.config(servedModel).withApiKeys(List.of(KEY));
        server = SluiceServer.start(config, servedModel, new AccessLog(line -> { }));
        baseUrl = "http://127.0.0.1:" + server.port() + "/v1";
    }

    @AfterAll
    void stop() {
        server.stop();
        servedModel.close();
    }

    @Test
    void chatModelAnswers() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(KEY).modelName("stories")
                .temperature(0.0).maxTokens(12).maxRetries(0).build();
        ChatResponse response = model.chat(UserMessage.from("Tell me a story."));
        assertThat(response.aiMessage().text()).isNotEmpty();
        assertThat(response.tokenUsage().outputTokenCount()).isBetween(1, 12);
        assertThat(response.finishReason()).isNotNull();
    }

    @Test
    void streamingChatModelStreamsTheSameAnswer() throws Exception {
        OpenAiChatModel plain = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(KEY).modelName("stories")
                .temperature(0.0).maxTokens(12).maxRetries(0).build();
        String whole = plain.chat(UserMessage.from("Tell me a story.")).aiMessage().text();
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(KEY)
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
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey("sk-wrong").modelName("stories")
                .maxRetries(0).build();
        assertThatThrownBy(() -> model.chat("hi")).hasMessageContaining("API key");
    }
}
