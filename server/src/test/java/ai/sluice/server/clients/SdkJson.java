package ai.sluice.server.clients;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.core.JsonValue;

import java.util.LinkedHashMap;
import java.util.Map;

/** JSON text in the shapes the OpenAI Java SDK takes: a schema or a function's parameters as an open map. */
final class SdkJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private SdkJson() {
    }

    /** Parses {@code json}; text that is not JSON fails the test, quoting it. */
    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** The members of a JSON object, in order, as the SDK's additional properties. */
    static Map<String, JsonValue> members(String jsonObject) {
        Map<String, JsonValue> members = new LinkedHashMap<>();
        parse(jsonObject).properties().forEach(e -> members.put(e.getKey(), JsonValue.fromJsonNode(e.getValue())));
        return members;
    }
}
