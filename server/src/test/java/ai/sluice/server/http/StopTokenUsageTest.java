package ai.sluice.server.http;

import ai.sluice.server.ClientTestServer;
import ai.sluice.server.HttpTestClient.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code usage.completion_tokens} counts the token that stopped the sequence (EOS or a stop token id), as
 * vLLM (the stop token is in the output's token ids, and usage counts them) and llama-server (its
 * {@code n_decoded} counts the EOG token) do: the count equals the {@code token_ids} the same answer
 * returns, non-streamed and in the stream's usage chunk. Real server, real engine (stories260K, greedy).
 */
class StopTokenUsageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ClientTestServer SERVER = new ClientTestServer();

    @Test
    void aStopTokenIdIsCountedLikeTheTokensBeforeIt() throws Exception {
        JsonNode free = complete(",\"ignore_eos\":true");
        int stopId = free.at("/choices/0/token_ids/3").asInt();
        int firstAt = indexOf(free.at("/choices/0/token_ids"), stopId);

        JsonNode stopped = complete(",\"stop_token_ids\":[" + stopId + "]");
        assertThat(stopped.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(stopped.at("/choices/0/token_ids")).hasSize(firstAt + 1);
        assertThat(stopped.at("/usage/completion_tokens").asInt()).isEqualTo(firstAt + 1);
        assertThat(streamedCompletionTokens(",\"stop_token_ids\":[" + stopId + "]")).isEqualTo(firstAt + 1);
    }

    @Test
    void anEosAsTheFirstTokenCountsOne() throws Exception {
        int eos = SERVER.servedModel().codec().tokenizer().vocabulary().eosId();
        String bias = ",\"logit_bias\":{\"" + eos + "\":100}";
        JsonNode r = complete(bias);
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(r.at("/choices/0/text").asText()).isEmpty();
        assertThat(r.at("/choices/0/token_ids")).hasSize(1);
        assertThat(r.at("/choices/0/token_ids/0").asInt()).isEqualTo(eos);
        assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(1);
        assertThat(r.at("/usage/total_tokens").asInt()).isEqualTo(r.at("/usage/prompt_tokens").asInt() + 1);
        assertThat(streamedCompletionTokens(bias)).isEqualTo(1);
    }

    private static JsonNode complete(String extra) {
        Reply r = SERVER.http().post("/v1/completions", body(extra));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static int streamedCompletionTokens(String extra) throws Exception {
        Reply r = SERVER.http().post("/v1/completions", body(extra + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> events = r.events();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        return JSON.readTree(events.get(events.size() - 2)).at("/usage/completion_tokens").asInt();
    }

    private static String body(String extra) {
        return "{\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0,\"return_token_ids\":true" + extra + "}";
    }

    private static int indexOf(JsonNode ids, int id) {
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i).asInt() == id) {
                return i;
            }
        }
        throw new AssertionError(id + " not in " + ids);
    }
}
