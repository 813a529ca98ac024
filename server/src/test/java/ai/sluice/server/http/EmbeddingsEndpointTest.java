package ai.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.sluice.core.model.Pooling;
import ai.sluice.server.HttpTestClient;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.StoriesEngine;
import ai.sluice.server.TestServers;
import ai.sluice.server.serving.EmbeddingSettings;
import ai.sluice.server.serving.ServedModel;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code /v1/embeddings} over HTTP against the real engine on stories260K. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddingsEndpointTest {
    private static final String[] TEXTS = {"Once upon a time", "The cat sat on the mat.", "Lily loved to play outside",
        "a", "Tom and his dog went to the park to play with a big red ball."};
    private final List<ServedModel> models = new ArrayList<>();
    private final List<SluiceServer> servers = new ArrayList<>();
    private HttpTestClient mean;
    private HttpTestClient cls;
    private HttpTestClient matryoshka;

    @BeforeAll
    void start() {
        mean = serve(EmbeddingSettings.DEFAULT);
        cls = serve(new EmbeddingSettings(Pooling.CLS, false));
        matryoshka = serve(new EmbeddingSettings(Pooling.MEAN, true));
    }

    private HttpTestClient serve(EmbeddingSettings settings) {
        ServedModel m = new StoriesEngine(16, settings);
        SluiceServer s = SluiceServer.start(TestServers.config(m), m, new AccessLog(line -> { }));
        models.add(m);
        servers.add(s);
        return new HttpTestClient(s.port(), null);
    }

    @AfterAll
    void stop() {
        servers.forEach(SluiceServer::stop);
        models.forEach(ServedModel::close);
    }

    private static String body(String input, String extra) {
        return "{\"model\":\"stories\",\"input\":" + input + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static String texts() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < TEXTS.length; i++) {
            b.append(i > 0 ? "," : "").append(quote(TEXTS[i]));
        }
        return b.append(']').toString();
    }

    private static String quote(String s) {
        JsonNode n = HttpTestClient.JSON.getNodeFactory().textNode(s);
        return n.toString();
    }

    private static float[] vector(JsonNode embedding) {
        float[] v = new float[embedding.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = embedding.get(i).floatValue();
        }
        return v;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void answersInOpenAisShapeWithUnitVectorsAndUsage() {
        HttpTestClient.Reply r = mean.post("/v1/embeddings", body(texts(), ""));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(fieldNames(j)).containsExactly("object", "data", "model", "usage");
        assertThat(j.get("object").asText()).isEqualTo("list");
        assertThat(j.get("model").asText()).isEqualTo("stories");
        assertThat(j.get("data")).hasSize(TEXTS.length);
        int tokens = 0;
        for (int i = 0; i < TEXTS.length; i++) {
            JsonNode d = j.get("data").get(i);
            assertThat(fieldNames(d)).containsExactly("object", "index", "embedding");
            assertThat(d.get("object").asText()).isEqualTo("embedding");
            assertThat(d.get("index").asInt()).isEqualTo(i);
            assertThat(d.get("embedding")).hasSize(64);
            assertThat(norm(vector(d.get("embedding")))).isCloseTo(1.0, within(1e-6));
            tokens += mean.post("/tokenize", "{\"prompt\":" + quote(TEXTS[i]) + "}")
                    .json().get("count").asInt();
        }
        assertThat(fieldNames(j.get("usage"))).containsExactly("prompt_tokens", "total_tokens");
        assertThat(j.get("usage").get("prompt_tokens").asInt()).isEqualTo(tokens);
        assertThat(j.get("usage").get("total_tokens").asInt()).isEqualTo(tokens);
    }

    @Test
    void aBatchGivesExactlyTheVectorsOfOneByOneRequests() {
        JsonNode batched = mean.post("/v1/embeddings", body(texts(), "")).json().get("data");
        for (int i = 0; i < TEXTS.length; i++) {
            JsonNode alone = mean.post("/embeddings", body(quote(TEXTS[i]), ""))
                    .json().get("data").get(0);
            assertThat(vector(batched.get(i).get("embedding"))).as(TEXTS[i])
                    .containsExactly(vector(alone.get("embedding")));
        }
    }

    @Test
    void tokenIdInputsEmbedTheSameAsTheirText() {
        int[] ids = ids(mean.post("/tokenize", "{\"prompt\":\"Once upon a time\"}").json().get("tokens"));
        String list = java.util.Arrays.toString(ids);
        float[] fromText = vector(mean.post("/v1/embeddings", body("\"Once upon a time\"", "")).json()
                .get("data").get(0).get("embedding"));
        JsonNode one = mean.post("/v1/embeddings", body(list, "")).json();
        assertThat(vector(one.get("data").get(0).get("embedding"))).containsExactly(fromText);
        assertThat(one.get("usage").get("prompt_tokens").asInt()).isEqualTo(ids.length);
        JsonNode two = mean.post("/v1/embeddings", body("[" + list + ",[1,50,60]]", "")).json();
        assertThat(two.get("data")).hasSize(2);
        assertThat(vector(two.get("data").get(0).get("embedding"))).containsExactly(fromText);
        assertThat(two.get("usage").get("prompt_tokens").asInt()).isEqualTo(ids.length + 3);
    }

    @Test
    void base64DecodesToTheFloatList() {
        JsonNode floats = mean.post("/v1/embeddings", body(texts(), "\"encoding_format\":\"float\"")).json();
        JsonNode b64 = mean.post("/v1/embeddings", body(texts(), "\"encoding_format\":\"base64\"")).json();
        for (int i = 0; i < TEXTS.length; i++) {
            byte[] bytes = Base64.getDecoder().decode(b64.get("data").get(i).get("embedding").asText());
            float[] decoded = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(decoded);
            assertThat(decoded).containsExactly(vector(floats.get("data").get(i).get("embedding")));
        }
    }

    @Test
    void poolingsGiveDifferentVectors() {
        float[] m = vector(mean.post("/v1/embeddings", body("\"Lily loved to play outside\"", "")).json()
                .get("data").get(0).get("embedding"));
        float[] c = vector(cls.post("/v1/embeddings", body("\"Lily loved to play outside\"", "")).json()
                .get("data").get(0).get("embedding"));
        assertThat(norm(c)).isCloseTo(1.0, within(1e-6));
        double dot = 0;
        for (int i = 0; i < m.length; i++) {
            dot += (double) m[i] * c[i];
        }
        assertThat(dot).isLessThan(0.99);
    }

    @Test
    void dimensionsTruncateAndRenormaliseOnlyForAMatryoshkaModel() {
        HttpTestClient.Reply refused = mean.post("/v1/embeddings", body("\"Once\"", "\"dimensions\":16"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("error").get("param").asText()).isEqualTo("dimensions");
        float[] full = vector(matryoshka.post("/v1/embeddings", body("\"Once upon a time\"", "")).json()
                .get("data").get(0).get("embedding"));
        float[] cut = vector(matryoshka.post("/v1/embeddings", body("\"Once upon a time\"", "\"dimensions\":16"))
                .json().get("data").get(0).get("embedding"));
        assertThat(cut).hasSize(16);
        assertThat(norm(cut)).isCloseTo(1.0, within(1e-6));
        double prefix = norm(java.util.Arrays.copyOf(full, 16));
        for (int i = 0; i < 16; i++) {
            assertThat((double) cut[i]).isCloseTo(full[i] / prefix, within(1e-6));
        }
        HttpTestClient.Reply tooMany = matryoshka.post("/v1/embeddings", body("\"Once\"", "\"dimensions\":65"));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("error").get("param").asText()).isEqualTo("dimensions");
    }

    /** OpenAI's limit of 2048 inputs is more than the engine's waiting queue holds (1024): still a 200. */
    @Test
    void twoThousandInputsInOneRequestAreAnsweredInOrder() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 2048; i++) {
            b.append(i > 0 ? "," : "").append(i % 2 == 0 ? "\"a cat\"" : "[1," + (3 + i % 400) + "]");
        }
        HttpTestClient.Reply r = mean.post("/v1/embeddings", body(b.append(']').toString(), ""));
        assertThat(r.status()).as(r.body().length() > 300 ? r.body().substring(0, 300) : r.body()).isEqualTo(200);
        JsonNode data = r.json().get("data");
        assertThat(data).hasSize(2048);
        for (int i = 0; i < 2048; i++) {
            assertThat(data.get(i).get("index").asInt()).isEqualTo(i);
        }
        assertThat(vector(data.get(2).get("embedding"))).containsExactly(vector(data.get(0).get("embedding")));
    }

    @Test
    void badInputsAre400sNamingTheField() {
        String longText = "word ".repeat(3000);
        assertParam(mean.post("/v1/embeddings", body("\"" + longText + "\"", "")), "input");
        assertParam(mean.post("/v1/embeddings", body("\"\"", "")), "input");
        assertParam(mean.post("/v1/embeddings", body("[]", "")), "input");
        assertParam(mean.post("/v1/embeddings", body("[1, 99999]", "")), "input");
        assertParam(mean.post("/v1/embeddings", body("[{\"a\":1}]", "")), "input");
        assertParam(mean.post("/v1/embeddings", "{\"model\":\"stories\"}"), "input");
        assertParam(mean.post("/v1/embeddings", body("\"x\"", "\"encoding_format\":\"int8\"")), "encoding_format");
        assertParam(mean.post("/v1/embeddings", body("\"x\"", "\"dimensions\":0")), "dimensions");
        HttpTestClient.Reply wrongModel = mean.post("/v1/embeddings", "{\"model\":\"gpt-x\",\"input\":\"x\"}");
        assertThat(wrongModel.status()).isEqualTo(404);
    }

    private static void assertParam(HttpTestClient.Reply r, String param) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("error").get("param").asText()).as(r.body()).isEqualTo(param);
    }

    private static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}
