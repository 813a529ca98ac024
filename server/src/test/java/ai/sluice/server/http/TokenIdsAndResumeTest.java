package ai.sluice.server.http;

import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.StoriesEngine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code return_token_ids} and {@code sluice.resume_token_ids} on a real server over the real engine
 * (stories260K): a stream cut after any chunk and resumed from the ids received so far gives the
 * uninterrupted answer, ids and text, greedy and seeded; plain clients see none of it.
 */
class TokenIdsAndResumeTest {
    private static StoriesEngine model;
    private static SluiceServer server;
    private static HttpTestClient client;

    @BeforeAll
    static void start() {
        model = new StoriesEngine(4);
        server = SluiceServer.start(ServerConfig.defaults("stories", model.contextLength()).withPort(0), model,
                new AccessLog(line -> { }));
        client = new HttpTestClient(server.port(), null);
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static ObjectNode completion(String extra) {
        return json("{\"prompt\":\"Once upon a time, there was a\",\"max_tokens\":24" + extra + "}");
    }

    private static ObjectNode chat(String extra) {
        return json("{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about a cat\"}],\"max_tokens\":24"
                + extra + "}");
    }

    private static final String GREEDY = ",\"temperature\":0,\"ignore_eos\":true";
    private static final String SEEDED = ",\"temperature\":0.9,\"top_p\":0.9,\"top_k\":50,\"seed\":42,"
            + "\"presence_penalty\":0.5,\"frequency_penalty\":0.3,\"repetition_penalty\":1.2,\"ignore_eos\":true";

    /** One streamed answer: each chunk's text and ids, and the finish. */
    record Stream(List<String> texts, List<int[]> ids, String finishReason, JsonNode usage, JsonNode promptIds,
                  Reply reply) {
        String text() {
            return String.join("", texts);
        }

        String textThrough(int chunks) {
            return String.join("", texts.subList(0, chunks));
        }

        List<Integer> idsFrom(int chunk) {
            List<Integer> out = new ArrayList<>();
            for (int[] a : ids.subList(chunk, ids.size())) {
                for (int t : a) {
                    out.add(t);
                }
            }
            return out;
        }
    }

    private static Stream stream(String path, ObjectNode body) {
        ObjectNode b = body.deepCopy();
        b.put("stream", true);
        b.putObject("stream_options").put("include_usage", true);
        Reply r = client.post(path, b.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> texts = new ArrayList<>();
        List<int[]> ids = new ArrayList<>();
        String finish = null;
        JsonNode usage = null;
        JsonNode prompt = null;
        for (String e : r.events()) {
            if (e.equals("[DONE]")) {
                continue;
            }
            JsonNode chunk = parse(e);
            assertThat(chunk.has("error")).as(e).isFalse();
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
            }
            if (chunk.has("prompt_token_ids")) {
                prompt = chunk.get("prompt_token_ids");
            }
            for (JsonNode c : chunk.get("choices")) {
                if (c.has("prompt_token_ids")) {
                    prompt = c.get("prompt_token_ids");
                }
                String text = c.has("text") ? c.get("text").asText() : c.path("delta").path("content").asText("");
                JsonNode tokenIds = c.get("token_ids");
                if (!c.path("delta").has("role")) {
                    texts.add(text);
                    ids.add(tokenIds == null ? new int[0] : ints(tokenIds));
                }
                if (!c.path("finish_reason").isNull() && c.has("finish_reason")) {
                    finish = c.get("finish_reason").asText();
                }
            }
        }
        return new Stream(texts, ids, finish, usage, prompt, r);
    }

    private static void assertEveryCutResumes(String path, ObjectNode body) {
        ObjectNode asked = body.deepCopy().put("return_token_ids", true);
        Stream whole = stream(path, asked);
        assertThat(whole.ids.size()).as("chunks").isGreaterThan(5);
        for (int[] chunkIds : whole.ids.subList(0, whole.ids.size() - 1)) {
            assertThat(chunkIds).as("every chunk before the last carries the ids of its text").isNotEmpty();
        }
        // the whole answer's ids are the concatenated chunks' ids, and they spell its text
        Reply plain = client.post(path, asked.toString());
        JsonNode choice = plain.json().at("/choices/0");
        assertThat(boxed(ints(choice.get("token_ids")))).isEqualTo(whole.idsFrom(0));
        String fullText = choice.has("text") ? choice.get("text").asText() : choice.at("/message/content").asText();
        assertThat(whole.text()).isEqualTo(fullText);
        JsonNode promptIds = path.contains("chat") ? plain.json().get("prompt_token_ids") : choice.get("prompt_token_ids");
        // (after the prompt: a SentencePiece leading space is dropped only at the start of a text; the ids
        // of tokens whose text a stop string cut are there too, so their text may go on)
        assertThat(detokenize(concat(ints(promptIds), ints(choice.get("token_ids")))))
                .startsWith(detokenize(ints(promptIds)) + fullText);
        assertThat(promptIds).isEqualTo(whole.promptIds());
        assertThat(promptIds.size()).isEqualTo(plain.json().at("/usage/prompt_tokens").asInt());

        int chunks = whole.ids.size();
        for (int cut : new int[] {1, 2, 3, chunks / 2, chunks - 2, chunks - 1}) {
            List<Integer> sent = new ArrayList<>(whole.idsFrom(0).subList(0, whole.idsFrom(0).size()
                    - whole.idsFrom(cut).size()));
            ObjectNode resume = asked.deepCopy();
            ArrayNode list = resume.putObject("sluice").putArray("resume_token_ids");
            sent.forEach(list::add);
            Stream rest = stream(path, resume);
            assertThat(rest.reply().raw().headers().firstValue("x-sluice-resumed-tokens")).hasValue(
                    Integer.toString(sent.size()));
            assertThat(whole.textThrough(cut) + rest.text()).as("text resumed after chunk %d", cut)
                    .isEqualTo(whole.text());
            assertThat(rest.idsFrom(0)).as("ids resumed after chunk %d", cut).isEqualTo(whole.idsFrom(cut));
            assertThat(rest.finishReason()).isEqualTo(whole.finishReason());
            assertThat(rest.usage().get("completion_tokens")).isEqualTo(whole.usage().get("completion_tokens"));
            assertThat(rest.usage().get("prompt_tokens")).isEqualTo(whole.usage().get("prompt_tokens"));
            // and not streamed: the continuation's text and ids, the uninterrupted usage
            Reply once = client.post(path, resume.toString());
            JsonNode c = once.json().at("/choices/0");
            String text = c.has("text") ? c.get("text").asText() : c.at("/message/content").asText();
            assertThat(whole.textThrough(cut) + text).isEqualTo(whole.text());
            assertThat(boxed(ints(c.get("token_ids")))).isEqualTo(whole.idsFrom(cut));
            assertThat(once.json().at("/usage/completion_tokens")).isEqualTo(whole.usage().get("completion_tokens"));
        }
    }

    @Test
    void greedyStreamsResumeAfterAnyChunk() {
        double before = metric("sluice:resumed_requests_total");
        assertEveryCutResumes("/v1/completions", completion(GREEDY));
        assertEveryCutResumes("/v1/chat/completions", chat(GREEDY));
        assertThat(metric("sluice:resumed_requests_total")).as("two endpoints x six cuts x streamed or not")
                .isEqualTo(before + 24);
        assertThat(metric("sluice:resumed_tokens_total")).isPositive();
    }

    private static double metric(String name) {
        for (String line : client.get("/metrics").body().split("\n")) {
            if (line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " is not exported");
    }

    @Test
    void seededSamplingWithPenaltiesResumesAsIfNothingHappened() {
        assertEveryCutResumes("/v1/completions", completion(SEEDED));
        assertEveryCutResumes("/v1/chat/completions", chat(SEEDED));
    }

    @Test
    void aStopStringAcrossTheCutIsHeldThenCutAndTheStopTokenRidesWithTheFinish() {
        Stream free = stream("/v1/completions", completion(GREEDY).put("return_token_ids", true));
        String text = free.text();
        int boundary = free.textThrough(6).length();
        String stop = text.substring(boundary - 2, boundary + 3);
        assertThat(text.indexOf(stop)).isEqualTo(boundary - 2);
        ObjectNode body = completion(GREEDY);
        body.putArray("stop").add(stop);
        assertEveryCutResumes("/v1/completions", body);
        Stream stopped = stream("/v1/completions", body.deepCopy().put("return_token_ids", true));
        assertThat(stopped.text()).isEqualTo(text.substring(0, boundary - 2));
        assertThat(stopped.finishReason()).isEqualTo("stop");

        // a stop token (as EOS): its id comes in the last chunk, with the finish reason, never before
        List<Integer> all = free.idsFrom(0);
        int stopId = all.get(8);
        ObjectNode byToken = completion(GREEDY).put("return_token_ids", true);
        byToken.putArray("stop_token_ids").add(stopId);
        Stream ended = stream("/v1/completions", byToken);
        assertThat(ended.finishReason()).isEqualTo("stop");
        assertThat(ended.idsFrom(0)).isEqualTo(all.subList(0, all.indexOf(stopId) + 1));
        int[] last = ended.ids().getLast();
        assertThat(last).isNotEmpty();
        assertThat(last[last.length - 1]).isEqualTo(stopId);
        assertEveryCutResumes("/v1/completions", byToken);
    }

    @Test
    void plainClientsSeeNoTokenIdsAndNoResumeHeader() {
        for (String path : List.of("/v1/completions", "/v1/chat/completions")) {
            ObjectNode body = path.contains("chat") ? chat(GREEDY) : completion(GREEDY);
            for (ObjectNode b : List.of(body, body.deepCopy().put("return_token_ids", false))) {
                Reply whole = client.post(path, b.toString());
                assertThat(whole.body()).doesNotContain("token_ids");
                assertThat(whole.raw().headers().firstValue("x-sluice-resumed-tokens")).isEmpty();
                Stream s = stream(path, b);
                assertThat(s.reply().body()).doesNotContain("token_ids");
                // the plain stream keeps its separate finish chunk with no text
                assertThat(s.texts().getLast()).isEmpty();
                assertThat(s.text()).isEqualTo(whole.json().at("/choices/0").has("text")
                        ? whole.json().at("/choices/0/text").asText()
                        : whole.json().at("/choices/0/message/content").asText());
            }
        }
    }

    @Test
    void badResumeRequestsAre400sNamingTheField() {
        Reply ok = client.post("/v1/completions", completion(GREEDY).put("return_token_ids", true).toString());
        int[] ids = ints(ok.json().at("/choices/0/token_ids"));
        String first = "[" + ids[0] + "," + ids[1] + "]";
        assertBad(completion(GREEDY + ",\"n\":2,\"sluice\":{\"resume_token_ids\":" + first + "}"),
                "sluice.resume_token_ids", "n = 1");
        assertBad(completion(GREEDY + ",\"sluice\":{\"resume_token_ids\":[1,99999]}"), "sluice.resume_token_ids",
                "outside");
        assertBad(completion(GREEDY + ",\"sluice\":{\"resume_token_ids\":\"1,2\"}"), "sluice.resume_token_ids",
                "list");
        assertBad(completion(GREEDY + ",\"sluice\":{\"resume_tokens\":[1]}"), "sluice.resume_tokens",
                "not a Sluice request field");
        assertBad(completion(GREEDY + ",\"sluice\":[1]"), "sluice", "object");
        assertBad(completion(GREEDY + ",\"return_token_ids\":\"yes\""), "return_token_ids", "boolean");
        ObjectNode tooMany = completion(GREEDY).put("max_tokens", 1);
        tooMany.putObject("sluice").putArray("resume_token_ids").add(ids[0]).add(ids[1]);
        assertBad(tooMany, "sluice.resume_token_ids", "may generate only 1");
        ObjectNode afterEos = completion(",\"temperature\":0");
        afterEos.putObject("sluice").putArray("resume_token_ids").add(ids[0]).add(eosId()).add(ids[1]);
        assertBad(afterEos, "sluice.resume_token_ids", "ends the generation");
        ObjectNode batch = json("{\"prompt\":[\"a\",\"b\"],\"max_tokens\":4}");
        batch.putObject("sluice").putArray("resume_token_ids").add(ids[0]);
        assertBad(batch, "sluice.resume_token_ids", "single prompt");
    }

    private static void assertBad(ObjectNode body, String param, String message) {
        Reply r = client.post("/v1/completions", body.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().at("/error/param").asText()).isEqualTo(param);
        assertThat(r.json().at("/error/message").asText()).contains(message);
    }

    private static int eosId() {
        return model.codec().tokenizer().vocabulary().eosId();
    }

    private static String detokenize(int[] ids) {
        ArrayNode list = HttpTestClient.JSON.createArrayNode();
        for (int t : ids) {
            list.add(t);
        }
        return client.post("/detokenize", "{\"tokens\":" + list + "}").json().get("prompt").asText();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static List<Integer> boxed(int[] ids) {
        return java.util.Arrays.stream(ids).boxed().toList();
    }

    private static int[] ints(JsonNode array) {
        assertThat(array).as("token ids").isNotNull();
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static ObjectNode json(String s) {
        return (ObjectNode) parse(s);
    }

    private static JsonNode parse(String s) {
        try {
            return HttpTestClient.JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(s, e);
        }
    }
}
