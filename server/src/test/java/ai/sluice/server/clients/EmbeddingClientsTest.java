package ai.sluice.server.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.sluice.server.ClientTestServer;
import com.openai.errors.BadRequestException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.store.embedding.CosineSimilarity;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The official OpenAI Java SDK and LangChain4j's OpenAiEmbeddingModel, unmodified, against a running server. */
class EmbeddingClientsTest {
    private static final String KEY = "sk-embed-test";
    private static final List<String> DOCS = List.of("The cat sat on the mat.", "Lily went to the park with her mom.",
            "Tom ate a big red apple.", "Once upon a time there was a little boat.");

    @RegisterExtension
    static final ClientTestServer SERVER = ClientTestServer.withApiKey(KEY);

    private CreateEmbeddingResponse create(EmbeddingCreateParams.Builder b) {
        return SERVER.openAi().embeddings().create(b.model("stories").build());
    }

    @Test
    void sdkReadsFloatAndBase64VectorsAlikeAndUsage() {
        CreateEmbeddingResponse floats = create(EmbeddingCreateParams.builder().inputOfArrayOfStrings(DOCS)
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT));
        CreateEmbeddingResponse b64 = create(EmbeddingCreateParams.builder().inputOfArrayOfStrings(DOCS)
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64));
        assertThat(floats.data()).hasSize(DOCS.size());
        assertThat(floats.model()).isEqualTo("stories");
        assertThat(floats.usage().promptTokens()).isPositive().isEqualTo(floats.usage().totalTokens());
        for (int i = 0; i < DOCS.size(); i++) {
            List<Float> v = floats.data().get(i).embedding();
            assertThat(floats.data().get(i).index()).isEqualTo(i);
            assertThat(v).hasSize(64);
            double ss = 0;
            for (float x : v) {
                ss += (double) x * x;
            }
            assertThat(Math.sqrt(ss)).isCloseTo(1.0, within(1e-6));
            assertThat(b64.data().get(i).embedding()).containsExactlyElementsOf(v);
        }
    }

    @Test
    void sdkSendsTokenIdsAndGetsA400ForDimensions() {
        CreateEmbeddingResponse r = create(EmbeddingCreateParams.builder().inputOfArrayOfTokens(List.of(1L, 403L, 407L)));
        assertThat(r.data().getFirst().embedding()).hasSize(64);
        assertThat(r.usage().promptTokens()).isEqualTo(3);
        assertThatThrownBy(() -> create(EmbeddingCreateParams.builder().input("hello").dimensions(8)))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("dimensions");
    }

    /**
     * The whole small RAG flow as a LangChain4j user writes it, both models against the one server: embed the
     * documents, retrieve the nearest to the question, answer with it as context. The tiny model's answer means
     * little; what must hold is that the retrieved document reached the model (the prompt grew by its tokens)
     * and that the grounded answer is the server's deterministic one.
     */
    @Test
    void langChain4jRagFlowAnswersWithTheRetrievedDocument() {
        OpenAiEmbeddingModel embedder = OpenAiEmbeddingModel.builder().baseUrl(SERVER.baseUrl()).apiKey(KEY)
                .modelName("stories").maxRetries(0).build();
        OpenAiChatModel chat = OpenAiChatModel.builder().baseUrl(SERVER.baseUrl()).apiKey(KEY).modelName("stories")
                .temperature(0.0).maxTokens(12).maxRetries(0).build();
        List<Embedding> docs = embedder.embedAll(DOCS.stream().map(TextSegment::from).toList()).content();
        String question = "Where did Lily go with her mom?";
        Embedding q = embedder.embed(question).content();
        int best = java.util.stream.IntStream.range(0, docs.size()).boxed()
                .max(Comparator.comparingDouble(j -> CosineSimilarity.between(q, docs.get(j)))).orElseThrow();
        String context = DOCS.get(best);
        ChatResponse bare = chat.chat(UserMessage.from(question));
        ChatResponse grounded = chat.chat(SystemMessage.from("Answer from this context: " + context),
                UserMessage.from(question));
        assertThat(grounded.aiMessage().text()).isNotEmpty();
        int contextTokens = SERVER.servedModel().codec().encode(context, false).length;
        assertThat(grounded.tokenUsage().inputTokenCount() - bare.tokenUsage().inputTokenCount())
                .as("the retrieved document is in the prompt").isGreaterThanOrEqualTo(contextTokens);
        assertThat(chat.chat(SystemMessage.from("Answer from this context: " + context), UserMessage.from(question))
                .aiMessage().text()).as("greedy: the same answer again").isEqualTo(grounded.aiMessage().text());
    }

    /** A small RAG retrieval as a LangChain4j user writes it: embed documents, rank them by cosine to a query. */
    @Test
    void langChain4jEmbeddingModelRetrievesByCosine() {
        OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder().baseUrl(SERVER.baseUrl()).apiKey(KEY)
                .modelName("stories").maxRetries(0).build();
        List<Embedding> docs = model.embedAll(DOCS.stream().map(TextSegment::from).toList()).content();
        assertThat(docs).hasSize(DOCS.size());
        assertThat(model.dimension()).isEqualTo(64);
        for (int i = 0; i < DOCS.size(); i++) {
            Embedding alone = model.embed(DOCS.get(i)).content();
            assertThat(alone.vector()).containsExactly(docs.get(i).vector());
            // a document is its own nearest neighbour
            Embedding query = alone;
            int best = java.util.stream.IntStream.range(0, docs.size()).boxed()
                    .max(Comparator.comparingDouble(j -> CosineSimilarity.between(query, docs.get(j)))).orElseThrow();
            assertThat(best).isEqualTo(i);
        }
    }
}
