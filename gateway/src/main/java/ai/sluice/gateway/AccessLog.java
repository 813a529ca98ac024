package ai.sluice.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** One JSON line per request: method, path, model, status, pool, key name, replica, retries, resumed, added and total ms. Never headers or bodies. */
public final class AccessLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Consumer<String> sink;

    public AccessLog(Consumer<String> sink) {
        this.sink = sink;
    }

    public static AccessLog stdout() {
        return new AccessLog(System.out::println);
    }

    public record Entry(String method, String path, String model, int status, String pool, String key,
                        String replica, int retries,
                        int resumes, double addedMs, double durationMs, String error) {
    }

    public void log(Entry e) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", Instant.now().toString());
        line.put("type", "access");
        line.put("method", e.method());
        line.put("path", e.path());
        line.put("model", e.model());
        line.put("status", e.status());
        line.put("pool", e.pool());
        line.put("key", e.key()); // the key's name from the config, never the key
        line.put("replica", e.replica());
        line.put("retries", e.retries());
        line.put("resumes", e.resumes());
        line.put("added_ms", Math.round(e.addedMs() * 1000) / 1000.0);
        line.put("duration_ms", Math.round(e.durationMs() * 100) / 100.0);
        line.put("error", e.error());
        try {
            sink.accept(JSON.writeValueAsString(line));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
