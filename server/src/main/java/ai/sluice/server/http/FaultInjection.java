package ai.sluice.server.http;

import ai.sluice.server.api.ApiException;
import ai.sluice.server.api.Json;
import ai.sluice.server.serving.ServedModel;
import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.time.Duration;
import java.util.Map;

/**
 * {@code POST /debug/freeze-engine {"seconds": N}}: hangs the engine loop for N seconds, so that a
 * test (or a chaos drill) of a running server process can watch /health, /ready and admission react
 * to a hung engine, as vLLM's dev-mode endpoints allow. Only routed when the server was started
 * with fault injection on ({@code serve --enable-fault-injection}).
 */
final class FaultInjection {
    private static final double MAX_SECONDS = 600;
    private final ServedModel servedModel;

    FaultInjection(ServedModel servedModel) {
        this.servedModel = servedModel;
    }

    void freezeEngine(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.readObject(HttpIo.body(req, 4096));
        JsonNode s = body.get("seconds");
        if (s == null || !s.isNumber() || !(s.asDouble() > 0 && s.asDouble() <= MAX_SECONDS)) {
            throw ApiException.invalid("seconds", "'seconds' must be a number in (0, " + (int) MAX_SECONDS + "]");
        }
        Duration d = Duration.ofMillis((long) (s.asDouble() * 1000));
        ServedModel.Frozen frozen = servedModel.freeze();
        Thread.ofVirtual().name("sluice-unfreeze").start(() -> {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                frozen.close();
            }
        });
        HttpIo.json(res, 200, Map.of("frozen_ms", d.toMillis()));
    }
}
