package ai.sluice.server.clients;

import ai.sluice.server.ClientTestServer;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official OpenAI Java SDK against a running server. */
class OpenAiJavaSdkTest {
    private static final String KEY = "sk-sdk-test";

    @RegisterExtension
    static final ClientTestServer SERVER = ClientTestServer.withApiKey(KEY);

    @Test
    void completionHasTextFinishReasonAndUsage() {
        Completion c = SERVER.openAi().completions().create(CompletionCreateParams.builder()
                .model("stories").prompt("Once upon a time").maxTokens(12).temperature(0.0).build());
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().getFirst().text()).isNotEmpty();
        assertThat(c.choices().getFirst().finishReason().asString()).isIn("length", "stop");
        assertThat(c.usage()).hasValueSatisfying(u -> {
            assertThat(u.completionTokens()).isBetween(1L, 12L);
            assertThat(u.totalTokens()).isEqualTo(u.promptTokens() + u.completionTokens());
        });
    }

    @Test
    void chatCompletionAnswersAsAssistant() {
        ChatCompletion c = SERVER.openAi().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.of("stories")).addSystemMessage("You tell stories.").addUserMessage("Tell me one.")
                .maxCompletionTokens(10).temperature(0.0).seed(7).build());
        assertThat(c.choices().getFirst().message().content()).hasValueSatisfying(t -> assertThat(t).isNotEmpty());
        assertThat(c.choices().getFirst().finishReason().asString()).isIn("length", "stop");
        assertThat(c.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isPositive());
    }

    @Test
    void theSeedMakesSampledAnswersReproducibleAndDifferentSeedsDiffer() {
        ChatCompletionCreateParams base = ChatCompletionCreateParams.builder().model(ChatModel.of("stories"))
                .addUserMessage("Tell me a story.").maxCompletionTokens(24).temperature(1.0).topP(1.0).build();
        String greedy = content(base.toBuilder().temperature(0.0).build());
        String seven = content(base.toBuilder().seed(7).build());
        assertThat(content(base.toBuilder().seed(7).build())).as("same seed, same answer").isEqualTo(seven);
        List<String> seeded = List.of(seven, content(base.toBuilder().seed(8).build()),
                content(base.toBuilder().seed(9).build()));
        // the seed reaches the sampler (answers differ by seed) and temperature 1 really samples
        assertThat(seeded.stream().distinct().count()).as("answers for seeds 7, 8, 9").isGreaterThan(1);
        assertThat(seeded).as("sampled at temperature 1, not greedy").anyMatch(a -> !a.equals(greedy));
    }

    private String content(ChatCompletionCreateParams params) {
        return SERVER.openAi().chat().completions().create(params).choices().getFirst().message().content().orElseThrow();
    }

    @Test
    void streamedChatMatchesTheWholeAnswerAndEndsWithUsage() {
        ChatCompletionCreateParams wholeParams = ChatCompletionCreateParams.builder().model(ChatModel.of("stories"))
                .addUserMessage("Tell me a story.").maxCompletionTokens(16).temperature(0.0).build();
        ChatCompletionCreateParams params = wholeParams.toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        String whole = SERVER.openAi().chat().completions().create(wholeParams).choices().getFirst().message().content()
                .orElseThrow();
        StringBuilder streamed = new StringBuilder();
        List<String> finishes = new ArrayList<>();
        long[] usage = {-1};
        try (StreamResponse<ChatCompletionChunk> stream = SERVER.openAi().chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                for (ChatCompletionChunk.Choice ch : chunk.choices()) {
                    ch.delta().content().ifPresent(streamed::append);
                    ch.finishReason().ifPresent(f -> finishes.add(f.asString()));
                }
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        assertThat(streamed.toString()).isEqualTo(whole);
        assertThat(finishes).hasSize(1);
        assertThat(usage[0]).isPositive();
    }

    @Test
    void streamedCompletionConcatenatesToTheWholeText() {
        CompletionCreateParams params = CompletionCreateParams.builder().model("stories").prompt("Once upon a time")
                .maxTokens(16).temperature(0.0).build();
        String whole = SERVER.openAi().completions().create(params).choices().getFirst().text();
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<Completion> stream = SERVER.openAi().completions().createStreaming(params)) {
            stream.stream().forEach(c -> c.choices().forEach(ch -> streamed.append(ch.text())));
        }
        assertThat(streamed.toString()).isEqualTo(whole);
    }

    @Test
    void modelsListShowsTheServedName() {
        List<Model> models = SERVER.openAi().models().list().data();
        assertThat(models).extracting(Model::id).containsExactly("stories");
    }

    @Test
    void errorsArriveAsTypedSdkExceptions() {
        assertThatThrownBy(() -> SERVER.openAi().completions().create(CompletionCreateParams.builder()
                .model("stories").prompt("x").temperature(5.0).build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.getMessage()).contains("temperature"));
        assertThatThrownBy(() -> SERVER.openAi().completions().create(CompletionCreateParams.builder()
                .model("gpt-4o").prompt("x").build()))
                .isInstanceOf(NotFoundException.class);
        OpenAIClient wrongKey = OpenAIOkHttpClient.builder().baseUrl(SERVER.baseUrl())
                .apiKey("sk-wrong").maxRetries(0).build();
        assertThatThrownBy(() -> wrongKey.models().list()).isInstanceOf(UnauthorizedException.class);
    }
}
