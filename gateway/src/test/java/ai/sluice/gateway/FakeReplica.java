package ai.sluice.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted OpenAI-style replica on loopback: /health, /metrics and /v1/models answer like Sluice's; what the
 * generation routes answer is the test's {@link Behaviour}.
 */
final class FakeReplica implements AutoCloseable {
    @FunctionalInterface
    interface Behaviour {
        void answer(HttpExchange exchange, String body) throws Exception;
    }

    final HttpServer server;
    final AtomicInteger generations = new AtomicInteger();
    volatile boolean healthy = true;
    /** Whether /metrics advertises Sluice's resume wire (as a real Sluice replica's does). */
    volatile boolean resumeWire;

    FakeReplica(String model, Behaviour behaviour) throws IOException {
        this(model, behaviour, "127.0.0.1", 0);
    }

    FakeReplica(String model, Behaviour behaviour, String address, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(address, port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health", ex -> send(ex, healthy ? 200 : 503, "{\"status\":\"ok\"}"));
        server.createContext("/metrics", ex -> send(ex, 200,
                "# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{model_name=\"" + model + "\"} 0.0\n"
                        + (resumeWire ? "sluice:resumed_requests_total{model_name=\"" + model + "\"} 0.0\n" : "")));
        server.createContext("/v1/models", ex -> send(ex, 200,
                "{\"object\":\"list\",\"data\":[{\"id\":\"" + model + "\",\"object\":\"model\",\"owned_by\":\"test\"}]}"));
        server.createContext("/v1/", ex -> {
            generations.incrementAndGet();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try {
                behaviour.answer(ex, body);
            } catch (Exception e) {
                // a scripted failure or a client that went away
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Starts an SSE response; write events with {@link #event}. */
    static OutputStream startStream(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        return ex.getResponseBody();
    }

    static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A completions chunk with the ids of its tokens (return_token_ids) and, when not null, its finish reason. */
    static String chunk(String id, String text, int[] tokenIds, String finishReason) {
        return "{\"id\":\"" + id + "\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"" + text
                + "\",\"finish_reason\":" + (finishReason == null ? "null" : "\"" + finishReason + "\"")
                + ",\"token_ids\":" + java.util.Arrays.toString(tokenIds) + "}]}";
    }

    static String chunk(String id, String text) {
        return "{\"id\":\"" + id + "\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"" + text
                + "\",\"finish_reason\":null}]}";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
