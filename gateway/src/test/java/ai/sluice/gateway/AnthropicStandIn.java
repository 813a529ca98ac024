package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local stand-in for Anthropic's Messages API ({@code POST /v1/messages}) that speaks its wire format as the
 * public documentation describes it: {@code x-api-key} and {@code anthropic-version} headers required; a body with
 * {@code model}, {@code max_tokens} (required, >= 1) and {@code messages} (user/assistant turns, string or text
 * blocks), optional {@code system}, {@code temperature} (0 to 1), {@code top_p}, {@code top_k},
 * {@code stop_sequences}, {@code stream}, {@code metadata}; any other field is a 400 {@code invalid_request_error}.
 * Errors are {@code {"type":"error","error":{"type":..,"message":..}}}. A stream is {@code event:}/{@code data:}
 * pairs: message_start, content_block_start, ping, content_block_delta (text_delta) per word, content_block_stop,
 * message_delta (stop_reason, usage.output_tokens), message_stop.
 * <p>Its "model" answers {@code "echo: "} and the last user turn's words, one output token per word, cut at
 * max_tokens (stop_reason max_tokens) or whole (end_turn); input tokens are the words of all turns and the system.
 */
final class AnthropicStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("model", "messages", "max_tokens", "system", "temperature",
            "top_p", "top_k", "stop_sequences", "stream", "metadata");

    final HttpServer server;
    final String key;
    /** The bodies of the requests it accepted, as received. */
    final List<JsonNode> accepted = new CopyOnWriteArrayList<>();
    /** Every request's x-api-key header (to show what the gateway sent). */
    final List<String> keysSeen = new CopyOnWriteArrayList<>();

    AnthropicStandIn(String key) throws IOException {
        this.key = key;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/messages", ex -> {
            try (ex) {
                handle(ex);
            }
        });
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange ex) throws IOException {
        String apiKey = ex.getRequestHeaders().getFirst("x-api-key");
        keysSeen.add(String.valueOf(apiKey));
        if (!"POST".equals(ex.getRequestMethod())) {
            error(ex, 405, "invalid_request_error", "method not allowed");
            return;
        }
        if (!key.equals(apiKey)) {
            error(ex, 401, "authentication_error", "invalid x-api-key");
            return;
        }
        if (ex.getRequestHeaders().getFirst("anthropic-version") == null) {
            error(ex, 400, "invalid_request_error", "anthropic-version: header is required");
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(ex.getRequestBody());
        } catch (IOException e) {
            error(ex, 400, "invalid_request_error", "request body is not valid JSON");
            return;
        }
        String invalid = validate(body);
        if (invalid != null) {
            error(ex, 400, "invalid_request_error", invalid);
            return;
        }
        accepted.add(body);
        List<String> words = answer(body);
        int max = body.get("max_tokens").asInt();
        String stop = words.size() > max ? "max_tokens" : "end_turn";
        List<String> out = words.subList(0, Math.min(max, words.size()));
        long input = inputTokens(body);
        String id = "msg_standin" + accepted.size();
        if (body.path("stream").asBoolean(false)) {
            stream(ex, body, id, out, stop, input);
            return;
        }
        ObjectNode m = JSON.createObjectNode();
        m.put("id", id).put("type", "message").put("role", "assistant");
        m.putArray("content").addObject().put("type", "text").put("text", String.join("", out));
        m.put("model", body.get("model").asText()).put("stop_reason", stop).putNull("stop_sequence");
        m.putObject("usage").put("input_tokens", input).put("output_tokens", out.size());
        send(ex, 200, "application/json", m.toString());
    }

    private static String validate(JsonNode body) {
        if (!body.isObject()) {
            return "body: must be an object";
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                return f + ": Extra inputs are not permitted";
            }
        }
        if (!body.path("model").isTextual()) {
            return "model: Field required";
        }
        if (!body.path("max_tokens").canConvertToExactIntegral() || body.get("max_tokens").asInt() < 1) {
            return "max_tokens: Field required (an integer >= 1)";
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            return "messages: at least one message is required";
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText();
            if (!role.equals("user") && !role.equals("assistant")) {
                return "messages." + i + ".role: Input should be 'user' or 'assistant'";
            }
            if (!m.path("content").isTextual() && !m.path("content").isArray()) {
                return "messages." + i + ".content: Input should be a string or a list of content blocks";
            }
        }
        if (body.has("system") && !body.get("system").isTextual() && !body.get("system").isArray()) {
            return "system: Input should be a string or a list of text blocks";
        }
        if (body.has("temperature") && (body.get("temperature").asDouble() < 0 || body.get("temperature").asDouble() > 1)) {
            return "temperature: Input should be less than or equal to 1";
        }
        if (body.has("stop_sequences") && !body.get("stop_sequences").isArray()) {
            return "stop_sequences: Input should be a valid list";
        }
        return null;
    }

    /** "echo:" and the last user turn, word by word (each word with its leading space: one token each). */
    private static List<String> answer(JsonNode body) {
        JsonNode messages = body.get("messages");
        String last = "";
        for (JsonNode m : messages) {
            if (m.path("role").asText().equals("user")) {
                last = text(m.get("content"));
            }
        }
        List<String> words = new ArrayList<>();
        words.add("echo:");
        for (String w : last.strip().split("\\s+")) {
            if (!w.isEmpty()) {
                words.add(" " + w);
            }
        }
        return words;
    }

    private static long inputTokens(JsonNode body) {
        long n = 0;
        for (JsonNode m : body.get("messages")) {
            n += count(text(m.get("content")));
        }
        if (body.has("system")) {
            n += count(text(body.get("system")));
        }
        return n;
    }

    private static long count(String s) {
        return s.isBlank() ? 0 : s.strip().split("\\s+").length;
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode b : content) {
            sb.append(b.path("text").asText()).append(' ');
        }
        return sb.toString();
    }

    private void stream(HttpExchange ex, JsonNode body, String id, List<String> out, String stop, long input)
            throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream o = ex.getResponseBody()) {
            ObjectNode start = JSON.createObjectNode().put("type", "message_start");
            ObjectNode m = start.putObject("message");
            m.put("id", id).put("type", "message").put("role", "assistant");
            m.putArray("content");
            m.put("model", body.get("model").asText()).putNull("stop_reason").putNull("stop_sequence");
            m.putObject("usage").put("input_tokens", input).put("output_tokens", 1);
            event(o, "message_start", start);
            ObjectNode blockStart = JSON.createObjectNode().put("type", "content_block_start").put("index", 0);
            blockStart.putObject("content_block").put("type", "text").put("text", "");
            event(o, "content_block_start", blockStart);
            event(o, "ping", JSON.createObjectNode().put("type", "ping"));
            for (String w : out) {
                ObjectNode d = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
                d.putObject("delta").put("type", "text_delta").put("text", w);
                event(o, "content_block_delta", d);
            }
            event(o, "content_block_stop", JSON.createObjectNode().put("type", "content_block_stop").put("index", 0));
            ObjectNode delta = JSON.createObjectNode().put("type", "message_delta");
            delta.putObject("delta").put("stop_reason", stop).putNull("stop_sequence");
            delta.putObject("usage").put("output_tokens", out.size());
            event(o, "message_delta", delta);
            event(o, "message_stop", JSON.createObjectNode().put("type", "message_stop"));
        }
    }

    private static void event(OutputStream o, String name, ObjectNode data) throws IOException {
        o.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        ObjectNode e = JSON.createObjectNode().put("type", "error");
        e.putObject("error").put("type", type).put("message", message);
        send(ex, status, "application/json", e.toString());
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
