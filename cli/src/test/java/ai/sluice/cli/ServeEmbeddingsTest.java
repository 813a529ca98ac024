package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.store.embedding.CosineSimilarity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plain {@code sluice serve --model X} process answers /v1/embeddings, here to LangChain4j's embedding model. */
class ServeEmbeddingsTest {

    @Test
    void plainServeOfADecoderEmbedsForLangChain4j(@TempDir Path dir) throws Exception {
        try (ServeProcess process = ServeProcess.start(dir, "--no-warmup", "--kv-cache-memory", "16000000")) {
            OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder()
                    .baseUrl(process.base().resolve("/v1").toString()).apiKey("none").modelName("stories260K")
                    .maxRetries(0).build();
            List<String> docs = List.of("The dog ran in the park.", "Mom baked a cake.", "The sun was hot.");
            List<Embedding> all = model.embedAll(docs.stream().map(TextSegment::from).toList()).content();
            assertThat(all).hasSize(3);
            for (int i = 0; i < docs.size(); i++) {
                Embedding alone = model.embed(docs.get(i)).content();
                assertThat(alone.vector()).hasSize(64).containsExactly(all.get(i).vector());
                assertThat(CosineSimilarity.between(alone, all.get(i))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
            }
            assertThat(Files.readString(process.log())).contains("embeddings: mean pooling (the default");
        }
    }
}
