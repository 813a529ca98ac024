package ai.sluice.server.http;

import ai.sluice.server.Eventually;
import ai.sluice.server.HttpTestClient;
import ai.sluice.server.HttpTestClient.Reply;
import ai.sluice.server.ScriptedModel;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP contract (formats, validation, errors, streaming) against a scripted engine. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerProtocolTest {
    private ScriptedModel servedModel;
    private SluiceServer server;
    private HttpTestClient client;
    private final List<String> accessLines = new CopyOnWriteArrayList<>();
    private String scriptText;

    @BeforeAll
    void start() {
        servedModel = new ScriptedModel(TestData.stories260K(), 512, 2);
        ServerConfig config = ServerConfig.defaults("stories", 512).withPort(0)
                .withLimits(64 * 1024, 100)
                .withTimes(Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(2));
        server = SluiceServer.start(config, servedModel, new AccessLog(accessLines::add));
        client = new HttpTestClient(server.port(), null);
        scriptText = servedModel.codec().decode(servedModel.script());
    }

    @AfterAll
    void stop() {
        server.stop();
        servedModel.close();
    }

    private String firstTokensText(int n) {
        var d = servedModel.codec().tokenizer().newStreamDecoder();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(d.push(servedModel.script()[i]));
        }
        return sb.append(d.flush()).toString();
    }

    @Test
    void completionReturnsTextUsageAndLengthFinish() {
        Reply r = client.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Hello\",\"max_tokens\":5}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("object").asText()).isEqualTo("text_completion");
        assertThat(j.get("id").asText()).startsWith("cmpl-");
        assertThat(j.at("/choices/0/text").asText()).isEqualTo(firstTokensText(5));
        assertThat(j.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(j.at("/choices/0").has("logprobs")).isTrue();
        int promptTokens = servedModel.codec().encode("Hello", true).length;
        assertThat(j.at("/usage/prompt_tokens").asInt()).isEqualTo(promptTokens);
        assertThat(j.at("/usage/completion_tokens").asInt()).isEqualTo(5);
        assertThat(j.at("/usage/total_tokens").asInt()).isEqualTo(promptTokens + 5);
    }

    @Test
    void chatStreamStartsWithRoleEndsWithDoneAndCarriesUsageLast() {
        Reply r = client.post("/v1/chat/completions", """
                {"messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"stream":true,
                 "stream_options":{"include_usage":true}}""");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.raw().headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<String> events = r.events();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        JsonNode first = parse(events.getFirst());
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        JsonNode usage = parse(events.get(events.size() - 2));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(4);
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String e : events.subList(1, events.size() - 2)) {
            JsonNode c = parse(e);
            text.append(c.at("/choices/0/delta/content").asText(""));
            if (!c.at("/choices/0/finish_reason").isNull()) {
                finish = c.at("/choices/0/finish_reason").asText();
            }
        }
        assertThat(text.toString()).isEqualTo(firstTokensText(4));
        assertThat(finish).isEqualTo("length");
    }

    @Test
    void stopStringCutsTheTextEvenAcrossTokensAndFinishesWithStop() {
        Reply r = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":40,\"stop\":[\"little girl\"]}");
        JsonNode j = r.json();
        assertThat(j.at("/choices/0/text").asText()).isEqualTo(" Once upon a time, there was a ");
        assertThat(j.at("/choices/0/finish_reason").asText()).isEqualTo("stop");

        Reply s = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":40,\"stop\":\"little girl\",\"stream\":true}");
        StringBuilder text = new StringBuilder();
        for (String e : s.events()) {
            if (!e.equals("[DONE]")) {
                text.append(parse(e).at("/choices/0/text").asText(""));
            }
        }
        assertThat(text.toString()).isEqualTo(" Once upon a time, there was a ");
        Eventually.await("stopped sequences are freed", () -> servedModel.activeSequences() == 0);
    }

    @Test
    void stopTokenIdEndsTheChoiceWithoutItsText() {
        int[] script = servedModel.script();
        Reply r = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":40,\"stop_token_ids\":[" + script[3] + "]}");
        assertThat(r.json().at("/choices/0/text").asText()).isEqualTo(firstTokensText(3));
        assertThat(r.json().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void nAndPromptListsGiveOneChoicePerSequence() {
        Reply r = client.post("/v1/completions", "{\"prompt\":[\"a\",\"b\"],\"n\":2,\"max_tokens\":2}");
        JsonNode choices = r.json().get("choices");
        assertThat(choices).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(choices.get(i).get("index").asInt()).isEqualTo(i);
        }
        assertThat(r.json().at("/usage/completion_tokens").asInt()).isEqualTo(8);
    }

    @Test
    void chatLogprobsCarryTokenBytesAndAlternatives() {
        Reply r = client.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":3,\"logprobs\":true,\"top_logprobs\":2}");
        JsonNode content = r.json().at("/choices/0/logprobs/content");
        assertThat(content).hasSize(3);
        assertThat(content.get(0).get("logprob").asDouble()).isEqualTo(-0.25);
        assertThat(content.get(0).get("top_logprobs")).hasSize(2);
        assertThat(content.get(0).get("bytes").isArray()).isTrue();
        Reply c = client.post("/v1/completions", "{\"prompt\":\"Hi\",\"max_tokens\":3,\"logprobs\":1}");
        JsonNode lp = c.json().at("/choices/0/logprobs");
        assertThat(lp.get("tokens")).hasSize(3);
        assertThat(lp.get("token_logprobs")).hasSize(3);
        assertThat(lp.get("text_offset").get(0).asInt()).isZero();
    }

    @Test
    void wrongTypesAndRangesAre400sNamingTheParameter() {
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"temperature\":\"hot\"}"), 400, "temperature");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"top_p\":1.5}"), 400, "top_p");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"n\":0}"), 400, "n");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":-1}"), 400, "max_tokens");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"stop\":5}"), 400, "stop");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"logprobs\":21}"), 400, "logprobs");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"seed\":\"abc\"}"), 400, "seed");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"stream_options\":{\"include_usage\":true}}"),
                400, "stream_options");
        assertError(client.post("/v1/completions", "{}"), 400, "prompt");
        assertError(client.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"),
                400, "messages[0].role");
        assertError(client.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\"}]}"), 400, "messages[0].content");
        assertThat(client.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},"
                + "{\"role\":\"assistant\",\"content\":null},{\"role\":\"user\",\"content\":\"y\"}],\"max_tokens\":1}")
                .status()).isEqualTo(200);
        assertError(client.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_logprobs\":2}"), 400, "top_logprobs");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"response_format\":{\"type\":\"yaml\"}}"),
                400, "response_format.type");
        assertError(client.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"guided_choice\":[]}"), 400, "guided_choice");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"logit_bias\":{\"abc\":1}}"), 400, "logit_bias");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"logit_bias\":{\"5\":101}}"), 400, "logit_bias");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"logit_bias\":{\"99999\":1}}"), 400, "logit_bias");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"logit_bias\":[1]}"), 400, "logit_bias");
        assertError(client.post("/v1/completions", "{\"prompt\":\"x\",\"model\":\"gpt-4\"}"), 404, "model");
        Reply notJson = client.post("/v1/completions", "{nope");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void unknownPathsAndWrongMethodsGetJsonErrors() {
        Reply missing = client.post("/v1/embeddingz", "{}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().at("/error/code").asText()).isEqualTo("not_found");
        assertThat(missing.json().at("/error/message").asText()).contains("POST /v1/embeddingz");
        Reply wrongMethod = client.send("DELETE", "/v1/completions");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.json().at("/error/code").asText()).isEqualTo("method_not_allowed");
        assertThat(wrongMethod.raw().headers().firstValue("Allow")).hasValue("POST");
        Reply getChat = client.get("/v1/chat/completions");
        assertThat(getChat.status()).isEqualTo(405);
        assertThat(client.post("/v1/models/stories", "{}").raw().headers().firstValue("Allow")).hasValue("GET");
        Reply postHealth = client.post("/health", "{}");
        assertThat(postHealth.status()).isEqualTo(405);
        assertThat(postHealth.json().at("/error/code").asText()).isEqualTo("method_not_allowed");
        assertThat(client.get("/v1/models/stories/extra").status()).isEqualTo(404);
        assertThat(client.get("/health").status()).isEqualTo(200);
    }

    @Test
    void unknownFieldsAreIgnored() {
        Reply r = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":1,\"frobnicate\":{\"a\":[1]}}");
        assertThat(r.status()).isEqualTo(200);
    }

    @Test
    void promptLongerThanTheLimitIsA400AndNeverCut() {
        String longPrompt = "once upon a time ".repeat(100);
        Reply r = client.post("/v1/completions", "{\"prompt\":\"" + longPrompt + "\"}");
        assertError(r, 400, "prompt");
        assertThat(r.json().at("/error/message").asText()).contains("never truncates");
        Reply m = client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":600}");
        assertError(m, 400, "max_tokens");
    }

    @Test
    void bodyLargerThanTheLimitIsA413() {
        String big = "{\"prompt\":\"" + "a".repeat(70 * 1024) + "\"}";
        Reply r = client.post("/v1/completions", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.json().at("/error/code").asText()).isEqualTo("request_too_large");
    }

    @Test
    void modelsListNamesTheServedModel() {
        Reply r = client.get("/v1/models");
        assertThat(r.json().at("/object").asText()).isEqualTo("list");
        assertThat(r.json().at("/data/0/id").asText()).isEqualTo("stories");
        assertThat(r.json().at("/data/0/max_model_len").asInt()).isEqualTo(512);
        assertThat(client.get("/v1/models/stories").status()).isEqualTo(200);
        assertThat(client.get("/v1/models/other").status()).isEqualTo(404);
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() {
        Reply t = client.post("/tokenize", "{\"prompt\":\"Once upon a time\"}");
        int[] tokens = servedModel.codec().encode("Once upon a time", true);
        assertThat(t.json().get("count").asInt()).isEqualTo(tokens.length);
        assertThat(t.json().get("max_model_len").asInt()).isEqualTo(512);
        assertThat(t.json().get("tokens").toString()).isEqualTo(Arrays.toString(tokens).replace(" ", ""));
        Reply plain = client.post("/tokenize", "{\"prompt\":\"Once upon a time\",\"add_special_tokens\":false}");
        assertThat(plain.json().get("count").asInt()).isEqualTo(tokens.length - 1);
        Reply d = client.post("/detokenize", "{\"tokens\":" + plain.json().get("tokens") + "}");
        assertThat(d.json().get("prompt").asText()).isEqualTo("Once upon a time");
        assertError(client.post("/detokenize", "{\"tokens\":[99999]}"), 400, "tokens");
        Reply chat = client.post("/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertThat(chat.json().get("count").asInt()).isEqualTo(
                servedModel.codec().encode("user: Hi\nassistant:", true).length);
    }

    @Test
    void metricsUseVllmNames() {
        client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}");
        Reply r = client.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("vllm:num_requests_waiting{model_name=\"stories\"}",
                "vllm:num_requests_running{", "vllm:kv_cache_usage_perc{", "vllm:prompt_tokens_total{",
                "vllm:generation_tokens_total{", "vllm:time_to_first_token_seconds_bucket{",
                "vllm:inter_token_latency_seconds_bucket{", "vllm:e2e_request_latency_seconds_bucket{",
                "vllm:request_queue_time_seconds", "vllm:num_preemptions_total{", "vllm:prefix_cache_queries_total{",
                "vllm:prefix_cache_hits_total{", "vllm:request_success_total{finished_reason=\"length\"",
                "jvm_memory_used_bytes", "process_cpu_seconds_total");
    }

    @Test
    void streamedClientThatHangsUpCancelsItsSequence() throws Exception {
        servedModel.stepMillis(20);
        try {
            int before = servedModel.submittedSequences();
            client.postAndHangUp(server.port(), "/v1/completions",
                    "{\"prompt\":\"x\",\"max_tokens\":400,\"stream\":true}", "data: ");
            Eventually.await("the request was submitted", () -> servedModel.submittedSequences() > before);
            Eventually.await("the hung-up stream's sequence is cancelled", () -> servedModel.activeSequences() == 0);
        } finally {
            servedModel.stepMillis(2);
        }
    }

    @Test
    void wholeResponseClientThatHangsUpCancelsItsSequence() throws Exception {
        servedModel.stepMillis(20);
        try {
            int before = servedModel.submittedSequences();
            client.postAndHangUp(server.port(), "/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":400}", null);
            Eventually.await("the request was submitted", () -> servedModel.submittedSequences() > before);
            Eventually.await("the hung-up request's sequence is cancelled", () -> servedModel.activeSequences() == 0);
        } finally {
            servedModel.stepMillis(2);
        }
    }

    @Test
    void accessLogHasOneLinePerRequestWithTokensAndTimings() {
        accessLines.clear();
        client.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":3}");
        Eventually.await("the access line is written", () -> !accessLines.isEmpty());
        JsonNode line = parse(accessLines.getFirst());
        assertThat(line.get("id").asText()).startsWith("cmpl-");
        assertThat(line.get("model").asText()).isEqualTo("stories");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("output_tokens").asInt()).isEqualTo(3);
        assertThat(line.get("prompt_tokens").asInt()).isPositive();
        assertThat(line.get("ttft_ms").asDouble()).isPositive();
        assertThat(line.get("duration_ms").asDouble()).isPositive();
    }

    static void assertError(Reply r, int status, String param) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        JsonNode e = r.json().get("error");
        assertThat(e.get("param").asText()).isEqualTo(param);
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.has("type")).isTrue();
        assertThat(e.has("code")).isTrue();
    }

    static JsonNode parse(String s) {
        try {
            return HttpTestClient.JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(s, e);
        }
    }
}
