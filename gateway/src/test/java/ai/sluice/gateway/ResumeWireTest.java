package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The gateway's side of the resume wire without a server: who speaks it, the request fields, the ids kept. */
class ResumeWireTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void aReplicaSpeaksTheWireWhenItsMetricsExportTheResumeCounter() {
        assertThat(ResumeWire.advertisedIn("# HELP x\nsluice:resumed_requests_total{model_name=\"m\"} 0.0\n")).isTrue();
        assertThat(ResumeWire.advertisedIn("sluice:resumed_requests_total 3\n")).isTrue();
        assertThat(ResumeWire.advertisedIn("vllm:num_requests_running{model_name=\"m\"} 0.0\n")).isFalse();
        assertThat(ResumeWire.advertisedIn("# HELP sluice:resumed_requests_total in a comment only\n")).isFalse();
    }

    @Test
    void onlyOneChoiceStreamsOfCompletionsAndChatsAreResumable() throws Exception {
        Exchange chat = new Exchange("POST", "/v1/chat/completions");
        chat.request = json("{\"stream\":true}");
        assertThat(ResumeWire.resumable(chat)).isTrue();
        chat.request = json("{\"stream\":true,\"n\":2}");
        assertThat(ResumeWire.resumable(chat)).isFalse();
        chat.request = json("{\"stream\":false}");
        assertThat(ResumeWire.resumable(chat)).isFalse();
        Exchange embeddings = new Exchange("POST", "/v1/embeddings");
        embeddings.request = json("{\"stream\":true}");
        assertThat(ResumeWire.resumable(embeddings)).isFalse();
    }

    @Test
    void theResumeRequestIsTheClientsWithTheIdsSentAndKeepsItsOwnFields() throws Exception {
        JsonNode request = json("{\"prompt\":\"Once\",\"seed\":3,\"stream\":true}");
        ResumeWire.TokenIds ids = new ResumeWire.TokenIds();
        ids.addFrom(json("{\"choices\":[{\"text\":\" a\",\"token_ids\":[5,6]}]}"));
        ids.addFrom(json("{\"choices\":[{\"text\":\"b\",\"token_ids\":[7]}]}"));
        assertThat(ids.complete()).isTrue();
        JsonNode body = ResumeWire.resumingAfter(request, ids);
        assertThat(body.get("prompt").asText()).isEqualTo("Once");
        assertThat(body.get("seed").asInt()).isEqualTo(3);
        assertThat(body.get("return_token_ids").asBoolean()).isTrue();
        assertThat(body.at("/sluice/resume_token_ids").toString()).isEqualTo("[5,6,7]");
        assertThat(request.has("sluice")).as("the client's request is left as it was").isFalse();
        assertThat(ResumeWire.askingForTokenIds(request).get("return_token_ids").asBoolean()).isTrue();
        // a chunk without ids (a replica that stopped giving them) spoils the list: no resume by the wire then
        ids.addFrom(json("{\"choices\":[{\"text\":\"c\"}]}"));
        assertThat(ids.complete()).isFalse();
    }

    @Test
    void idsAreStrippedFromWhatAClientDidNotAskFor() throws Exception {
        ObjectNode completion = (ObjectNode) json("{\"id\":\"c\",\"choices\":[{\"text\":\"a\",\"prompt_token_ids\":[1],"
                + "\"token_ids\":[5]}]}");
        ResumeWire.strip(completion);
        assertThat(completion.toString()).isEqualTo("{\"id\":\"c\",\"choices\":[{\"text\":\"a\"}]}");
        ObjectNode chat = (ObjectNode) json("{\"id\":\"c\",\"choices\":[{\"delta\":{\"role\":\"assistant\"},"
                + "\"token_ids\":[]}],\"prompt_token_ids\":[1,2]}");
        assertThat(ResumeWire.isRoleChunk(chat)).isTrue();
        ResumeWire.strip(chat);
        assertThat(chat.toString()).isEqualTo("{\"id\":\"c\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}");
        ObjectNode continued = (ObjectNode) json("{\"choices\":[{\"text\":\"a\",\"prompt_token_ids\":[1],"
                + "\"token_ids\":[5]}]}");
        ResumeWire.stripPromptIds(continued);
        assertThat(continued.toString()).isEqualTo("{\"choices\":[{\"text\":\"a\",\"token_ids\":[5]}]}");
    }
}
