package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/** {@code GET /v1/models} and {@code /v1/models/{id}}: the models the healthy replicas list, answered by the gateway. */
final class ModelList {
    private final GatewayConfig config;
    private final Pools pools;
    private final ObjectMapper json = new ObjectMapper();

    ModelList(GatewayConfig config, Pools pools) {
        this.config = config;
        this.pools = pools;
    }

    /** Whether the request may go on; answers 401 when the gateway checks keys and this one has none that fits. */
    private boolean admitted(ServerRequest req, ServerResponse res) {
        if (!config.auth().checksKeys() || config.auth().accepts(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null))) {
            return true;
        }
        res.status(401);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(OpenAiError.of("invalid_request_error", "invalid_api_key",
                "Incorrect or missing API key: send 'Authorization: Bearer <key>'.").toJson());
        return false;
    }

    /** GET /v1/models: the union of the healthy replicas' models, by id. */
    void models(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        var data = out.putArray("data");
        Set<String> seen = new HashSet<>();
        for (JsonNode card : pools.modelCards()) {
            if (seen.add(card.get("id").asText())) {
                data.add(card);
            }
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** GET /v1/models/{id}. */
    void model(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        for (JsonNode card : pools.modelCards()) {
            if (card.get("id").asText().equals(id)) {
                res.header(HeaderNames.CONTENT_TYPE, "application/json");
                res.send(card.toString().getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        res.status(404);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(new OpenAiError(new OpenAiError.Detail("The model `" + id + "` does not exist.",
                "invalid_request_error", "model", "model_not_found")).toJson());
    }
}
