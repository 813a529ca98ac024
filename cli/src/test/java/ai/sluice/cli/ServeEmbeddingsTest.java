package ai.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.store.embedding.CosineSimilarity;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.model.BertModel;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.tokenizer.Tokenizer;
import ai.sluice.engine.EmbeddingMath;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Arrays;
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

    /**
     * {@code synth} writes a BERT with the real bge vocabulary; a plain {@code serve} of it embeds with
     * the CLS pooling it declares, exactly as the encoder computes in process, and refuses to generate.
     */
    @Test
    void synthesizedBertServesEmbeddingsAndRefusesCompletions(@TempDir Path dir) throws Exception {
        Path vocab = ServeProcess.stories260K().getParent().resolve("tokenizer-tests/ggml-vocab-bert-bge.gguf");
        Path bert = dir.resolve("bert-tiny.gguf");
        CliRun noVocab = CliRun.of("synth", "--shape", "bert-tiny", "--type", "f32", "--out", bert.toString());
        assertThat(noVocab.exitCode()).isNotZero();
        assertThat(noVocab.err()).contains("--vocab").hasLineCount(1);
        CliRun synth = CliRun.of("synth", "--shape", "bert-tiny", "--type", "f32", "--out", bert.toString(),
                "--vocab", vocab.toString());
        assertThat(synth.exitCode()).as(synth.err()).isZero();
        assertThat(synth.out()).contains("bert encoder", "cls pooling");

        String text = "The quick brown fox jumps over the lazy dog.";
        float[] expected = inProcessClsEmbedding(bert, text);
        try (ServeProcess process = ServeProcess.startModel(dir, bert)) {
            HttpClient http = HttpClient.newHttpClient();
            JsonNode r = post(http, process, "/v1/embeddings", "{\"input\":[\"" + text + "\",\"hello\"]}");
            JsonNode v = r.get("data").get(0).get("embedding");
            float[] served = new float[v.size()];
            for (int i = 0; i < served.length; i++) {
                served[i] = v.get(i).floatValue();
            }
            assertThat(served).containsExactly(expected);
            assertThat(r.get("usage").get("prompt_tokens").asInt()).isEqualTo(12 + 3); // [CLS] ... [SEP] each

            OpenAiEmbeddingModel model = OpenAiEmbeddingModel.builder()
                    .baseUrl(process.base().resolve("/v1").toString()).apiKey("none").modelName("bert-tiny")
                    .maxRetries(0).build();
            assertThat(model.embed(text).content().vector()).containsExactly(expected);

            HttpResponse<String> completion = http.send(HttpRequest.newBuilder(process.base().resolve("/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hello\",\"max_tokens\":4}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(completion.statusCode()).isEqualTo(400);
            assertThat(completion.body()).contains("embedding model");
            HttpResponse<String> chat = http.send(HttpRequest.newBuilder(process.base().resolve("/v1/chat/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chat.statusCode()).isEqualTo(400);
            assertThat(chat.body()).contains("embedding model");
            assertThat(Files.readString(process.log())).contains("cls pooling, as the model declares", "no KV cache");
        }
    }

    private static JsonNode post(HttpClient http, ServeProcess process, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(process.base().resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    private static float[] inProcessClsEmbedding(Path bert, String text) {
        try (GgufFile file = GgufFile.open(bert); CpuBackend backend = new CpuBackend(new KernelPool(1))) {
            BertModel model = BertModel.load(file, backend);
            int[] tokens = Tokenizer.fromGguf(file.metadata()).encode(text, true, true);
            float[] hidden = new float[tokens.length * model.config().dim()];
            model.newEncoder().encode(List.of(tokens), hidden);
            return EmbeddingMath.l2Normalized(Arrays.copyOf(hidden, model.config().dim()));
        }
    }
}
