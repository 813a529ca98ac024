package ai.sluice.server.http;

import ai.sluice.server.ClientTestServer;
import ai.sluice.server.HttpTestClient.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.JsonValue;
import com.openai.models.ChatModel;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * vLLM's {@code min_tokens}: until that many tokens are generated, EOS and the stop token ids cannot be
 * picked and stop strings do not end the answer (only a stop string that ends in a later token's text
 * counts, as vLLM's detokenizer checks). Completions and chat, streamed and not, several prompts and
 * {@code n}; the bounds are 400s naming the field. Real server, real engine (stories260K, greedy), and
 * the official OpenAI SDK for chat.
 */
class MinTokensTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ClientTestServer SERVER = new ClientTestServer();

    private static int eos() {
        return SERVER.servedModel().codec().tokenizer().vocabulary().eosId();
    }

    @Test
    void eosCannotEndTheFirstMinTokens() throws Exception {
        String forcedEos = ",\"logit_bias\":{\"" + eos() + "\":100}";
        assertThat(complete(forcedEos).at("/choices/0/token_ids")).hasSize(1); // without min_tokens: EOS at once

        JsonNode r = complete(forcedEos + ",\"min_tokens\":5");
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode ids = r.at("/choices/0/token_ids");
        assertThat(ids).hasSize(6); // five others, then the EOS the bias forces as soon as it may come
        for (int i = 0; i < 5; i++) {
            assertThat(ids.get(i).asInt()).isNotEqualTo(eos());
        }
        assertThat(ids.get(5).asInt()).isEqualTo(eos());
        assertThat(r.at("/choices/0/text").asText()).isNotEmpty();
        assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(6);

        assertThat(streamed(forcedEos + ",\"min_tokens\":5")).isEqualTo(r.at("/choices/0/text").asText());
    }

    @Test
    void stopTokenIdsCannotEndTheFirstMinTokensOfEveryChoice() {
        int stopId = complete(",\"ignore_eos\":true").at("/choices/0/token_ids/1").asInt();
        String forcedStop = ",\"stop_token_ids\":[" + stopId + "],\"logit_bias\":{\"" + stopId + "\":100}";
        // two prompts, two choices each: four sequences in the engine, all held to min_tokens
        Reply reply = SERVER.http().post("/v1/completions", "{\"prompt\":[\"Once upon a time\",\"The dog\"],\"n\":2,"
                + "\"max_tokens\":12,\"temperature\":0,\"return_token_ids\":true,\"min_tokens\":3" + forcedStop + "}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode choices = reply.json().at("/choices");
        assertThat(choices).hasSize(4);
        for (JsonNode c : choices) {
            assertThat(c.at("/finish_reason").asText()).isEqualTo("stop");
            assertThat(c.at("/token_ids")).hasSize(4);
            assertThat(c.at("/token_ids/3").asInt()).isEqualTo(stopId);
        }
    }

    @Test
    void aStopStringCountsOnlyWhenItEndsAfterTheMinTokens() {
        JsonNode free = complete(",\"ignore_eos\":true,\"logprobs\":0");
        String text = free.at("/choices/0/text").asText();
        List<String> pieces = JSON.convertValue(free.at("/choices/0/logprobs/tokens"), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        assertThat(String.join("", pieces)).isEqualTo(text);
        int min = 4;
        int protectedChars = String.join("", pieces.subList(0, min)).length();
        String stop = " ";
        int firstAt = text.indexOf(stop);
        assertThat(firstAt).as("the stop string must occur within the protected tokens: " + text)
                .isLessThan(protectedChars - stop.length() + 1);
        int expectedAt = text.indexOf(stop, protectedChars - stop.length() + 1);
        assertThat(expectedAt).as(text).isPositive();

        String body = ",\"ignore_eos\":true,\"stop\":[\"" + stop + "\"]";
        assertThat(complete(body).at("/choices/0/text").asText()).isEqualTo(text.substring(0, firstAt));
        JsonNode r = complete(body + ",\"min_tokens\":" + min);
        assertThat(r.at("/choices/0/text").asText()).isEqualTo(text.substring(0, expectedAt));
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void chatHoldsMinTokensThroughTheOpenAiSdkAndStreamed() throws Exception {
        String forcedEos = ",\"logit_bias\":{\"" + eos() + "\":100}";
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"max_tokens\":10,"
                + "\"temperature\":0,\"return_token_ids\":true" + forcedEos;
        Reply free = SERVER.http().post("/v1/chat/completions", body + "}");
        assertThat(free.json().at("/choices/0/token_ids")).hasSize(1);
        Reply held = SERVER.http().post("/v1/chat/completions", body + ",\"min_tokens\":4}");
        assertThat(held.status()).as(held.body()).isEqualTo(200);
        assertThat(held.json().at("/choices/0/token_ids")).hasSize(5);
        String content = held.json().at("/choices/0/message/content").asText();
        assertThat(content).isNotEmpty();

        ChatCompletion sdk = SERVER.openAi().chat().completions().create(ChatCompletionCreateParams.builder()
                .model(ChatModel.of("stories")).addUserMessage("Tell me a story").maxCompletionTokens(10).temperature(0.0)
                .logitBias(ChatCompletionCreateParams.LogitBias.builder()
                        .putAdditionalProperty(Integer.toString(eos()), JsonValue.from(100)).build())
                .putAdditionalBodyProperty("min_tokens", JsonValue.from(4)).build());
        assertThat(sdk.choices().getFirst().message().content()).contains(content);
        assertThat(sdk.usage().orElseThrow().completionTokens()).isEqualTo(5);

        Reply stream = SERVER.http().post("/v1/chat/completions", body.replace("\"return_token_ids\":true", "\"stream\":true")
                + ",\"min_tokens\":4}");
        StringBuilder streamed = new StringBuilder();
        for (String e : stream.events()) {
            if (!e.equals("[DONE]")) {
                streamed.append(JSON.readTree(e).at("/choices/0/delta/content").asText(""));
            }
        }
        assertThat(streamed.toString()).isEqualTo(content);
    }

    @Test
    void aCompleteStructuredOutputStillEndsBeforeMinTokens() {
        // the choice is whole after a few tokens and then only an ending is allowed: min_tokens yields
        Reply r = SERVER.http().post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":12,"
                + "\"temperature\":0,\"min_tokens\":10,\"guided_choice\":[\"yes\",\"no\"]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/choices/0/text").asText()).isIn("yes", "no");
        assertThat(r.json().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void minTokensIsAnIntegerFromZeroToMaxTokens() {
        rejects("{\"prompt\":\"a\",\"min_tokens\":-1}", "between 0 and");
        rejects("{\"prompt\":\"a\",\"min_tokens\":\"5\"}", "must be an integer");
        rejects("{\"prompt\":\"a\",\"min_tokens\":2.5}", "must be an integer");
        rejects("{\"prompt\":\"a\",\"max_tokens\":4,\"min_tokens\":5}", "at most max_tokens (4)");
        rejects("{\"prompt\":\"a\",\"min_tokens\":17}", "at most max_tokens (16, the default)");
        Reply chat = SERVER.http().post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":2,\"min_tokens\":3}");
        assertThat(chat.status()).isEqualTo(400);
        assertThat(chat.json().at("/error/param").asText()).isEqualTo("min_tokens");
        Reply zero = SERVER.http().post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":4,\"min_tokens\":0}");
        assertThat(zero.status()).as(zero.body()).isEqualTo(200);
        Reply equal = SERVER.http().post("/v1/completions",
                "{\"prompt\":\"a\",\"max_tokens\":3,\"min_tokens\":3,\"temperature\":0}");
        assertThat(equal.status()).as(equal.body()).isEqualTo(200);
        assertThat(equal.json().at("/usage/completion_tokens").asInt()).isEqualTo(3);
    }

    private static void rejects(String body, String message) {
        Reply r = SERVER.http().post("/v1/completions", body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().at("/error/param").asText()).isEqualTo("min_tokens");
        assertThat(r.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(r.json().at("/error/message").asText()).contains(message);
    }

    private static JsonNode complete(String extra) {
        Reply r = SERVER.http().post("/v1/completions", body(extra));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static String streamed(String extra) throws Exception {
        Reply r = SERVER.http().post("/v1/completions", body(extra + ",\"stream\":true"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        StringBuilder text = new StringBuilder();
        for (String e : r.events()) {
            if (!e.equals("[DONE]")) {
                text.append(JSON.readTree(e).at("/choices/0/text").asText(""));
            }
        }
        return text.toString();
    }

    private static String body(String extra) {
        return "{\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0,\"return_token_ids\":true" + extra + "}";
    }
}
