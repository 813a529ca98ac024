package ai.sluice.server.http;

import ai.sluice.server.api.Json;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One JSON line per request: id, method, path, model, status, prompt and output tokens, time to
 * first token, duration. Never headers, never keys, never prompt text.
 */
public final class AccessLog {
    private final Consumer<String> sink;

    public AccessLog(Consumer<String> sink) {
        this.sink = sink;
    }

    /** Lines to standard output. */
    public static AccessLog stdout() {
        return new AccessLog(System.out::println);
    }

    public record Entry(String id, String method, String path, String model, int status, int promptTokens,
                        int outputTokens, double ttftMs, double durationMs, String finishReason, String error) {
    }

    public void log(Entry e) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", Instant.now().toString());
        line.put("type", "access");
        line.put("id", e.id());
        line.put("method", e.method());
        line.put("path", e.path());
        line.put("model", e.model());
        line.put("status", e.status());
        line.put("prompt_tokens", e.promptTokens());
        line.put("output_tokens", e.outputTokens());
        line.put("ttft_ms", e.ttftMs() < 0 ? null : round(e.ttftMs()));
        line.put("duration_ms", round(e.durationMs()));
        line.put("finish_reason", e.finishReason());
        line.put("error", e.error());
        sink.accept(Json.writeString(line));
    }

    private static double round(double ms) {
        return Math.round(ms * 100) / 100.0;
    }
}
