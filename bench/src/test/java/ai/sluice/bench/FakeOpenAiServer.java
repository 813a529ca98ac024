package ai.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server speaking the streaming OpenAI completions protocol with a known timeline, to test the client
 * end to end without an engine: {@code slots} requests are served at once (the rest wait, counted in
 * {@code vllm:num_requests_waiting}); each waits {@code firstTokenMillis}, then streams {@code max_tokens} chunks
 * {@code interTokenMillis} apart, the usage chunk (unless disabled) and {@code [DONE]}. Prompts containing
 * {@code FAIL503}, {@code BREAK} or {@code STALL} make the request fail in that way.
 */
public final class FakeOpenAiServer implements AutoCloseable {
    public static final String MODEL = "fake-model";

    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper();
    private final Semaphore slots;
    private final long firstTokenMillis;
    private final long interTokenMillis;
    private final boolean usage;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong generated = new AtomicLong();
    private final AtomicLong prompts = new AtomicLong();
    private volatile String apiKey;
    private volatile boolean vllmTokenize = true;
    private volatile boolean llamaTokenize;

    public FakeOpenAiServer(int slots, long firstTokenMillis, long interTokenMillis, boolean usage) throws IOException {
        this.slots = new Semaphore(slots, true);
        this.firstTokenMillis = firstTokenMillis;
        this.interTokenMillis = interTokenMillis;
        this.usage = usage;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/completions", authorized(this::completions));
        server.createContext("/v1/models", authorized(ex -> send(ex, 200,
                "{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL + "\"}]}")));
        server.createContext("/tokenize", authorized(this::tokenize));
        server.createContext("/metrics", this::metrics);
        server.start();
    }

    /** From now on every endpoint but /metrics answers 401 unless {@code Authorization: Bearer key} is sent. */
    public FakeOpenAiServer requireApiKey(String key) {
        this.apiKey = key;
        return this;
    }

    /**
     * Which /tokenize forms this server answers: vLLM's ({@code prompt}, the default) and llama-server's
     * ({@code content}). Like llama-server, a body without {@code content} gets 200 and no tokens when only the
     * llama form is on; with neither, /tokenize is a 404.
     */
    public FakeOpenAiServer tokenizeForms(boolean vllm, boolean llama) {
        this.vllmTokenize = vllm;
        this.llamaTokenize = llama;
        return this;
    }

    private com.sun.net.httpserver.HttpHandler authorized(com.sun.net.httpserver.HttpHandler handler) {
        return ex -> {
            String key = apiKey;
            if (key != null && !("Bearer " + key).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getRequestBody().readAllBytes();
                send(ex, 401, "{\"error\":{\"message\":\"invalid API key\",\"type\":\"authentication_error\"}}");
                return;
            }
            handler.handle(ex);
        };
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public long successes() {
        return successes.get();
    }

    public long generatedTokens() {
        return generated.get();
    }

    /** Tokens of a prompt as this server counts them: one per word plus BOS. */
    static int tokens(String prompt) {
        String s = prompt.strip();
        return (s.isEmpty() ? 0 : s.split("\\s+").length) + 1;
    }

    private void tokenize(HttpExchange ex) throws IOException {
        JsonNode body = json.readTree(ex.getRequestBody());
        if (!vllmTokenize && !llamaTokenize) {
            send(ex, 404, "{\"error\":{\"message\":\"not found\"}}");
            return;
        }
        if (!vllmTokenize) {
            // llama-server: content only; BOS only when add_special is asked for; no count field.
            String content = body.path("content").asText("");
            int n = content.isEmpty() ? 0 : tokens(content) - (body.path("add_special").asBoolean(false) ? 0 : 1);
            send(ex, 200, "{\"tokens\":[" + "7,".repeat(n).replaceAll(",$", "") + "]}");
            return;
        }
        int n = tokens(body.path("prompt").asText());
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ids.append(i == 0 ? "" : ",").append(i + 1);
        }
        send(ex, 200, "{\"count\":" + n + ",\"max_model_len\":2048,\"tokens\":[" + ids + "]}");
    }

    private void metrics(HttpExchange ex) throws IOException {
        String m = "# HELP vllm:num_requests_waiting Number of requests waiting.\n"
                + "# TYPE vllm:num_requests_waiting gauge\n"
                + "vllm:num_requests_waiting{model_name=\"" + MODEL + "\"} " + (double) waiting.get() + "\n"
                + "# TYPE vllm:request_success_total counter\n"
                + "vllm:request_success_total{finished_reason=\"length\",model_name=\"" + MODEL + "\"} "
                + (double) successes.get() + "\n"
                + "vllm:prompt_tokens_total{model_name=\"" + MODEL + "\"} " + (double) prompts.get() + "\n"
                + "vllm:generation_tokens_total{model_name=\"" + MODEL + "\"} " + (double) generated.get() + "\n";
        send(ex, 200, m);
    }

    private void completions(HttpExchange ex) throws IOException {
        JsonNode body = json.readTree(ex.getRequestBody());
        String prompt = body.path("prompt").asText();
        int maxTokens = body.path("max_tokens").asInt(16);
        if (!body.path("stream").asBoolean() || !body.path("ignore_eos").asBoolean()
                || !body.path("stream_options").path("include_usage").asBoolean()) {
            send(ex, 400, "{\"error\":{\"message\":\"bench must ask for stream, include_usage and ignore_eos\"}}");
            return;
        }
        if (prompt.contains("FAIL503")) {
            send(ex, 503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}");
            return;
        }
        waiting.incrementAndGet();
        slots.acquireUninterruptibly();
        waiting.decrementAndGet();
        try {
            sleep(firstTokenMillis);
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < maxTokens; i++) {
                    if (i > 0) {
                        sleep(interTokenMillis);
                    }
                    if (prompt.contains("BREAK") && i == 2) {
                        return; // the connection closes mid-stream without [DONE]
                    }
                    if (prompt.contains("STALL") && i == 1) {
                        sleep(3_000);
                    }
                    event(out, "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"model\":\"" + MODEL
                            + "\",\"choices\":[{\"index\":0,\"text\":\" tok" + i + "\",\"finish_reason\":"
                            + (i == maxTokens - 1 ? "\"length\"" : "null") + "}]}");
                }
                if (usage) {
                    event(out, "{\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + tokens(prompt)
                            + ",\"completion_tokens\":" + maxTokens + ",\"total_tokens\":"
                            + (tokens(prompt) + maxTokens) + "}}");
                }
                out.write(": keep-alive comment\n\n".getBytes(StandardCharsets.UTF_8));
                event(out, "[DONE]");
                successes.incrementAndGet();
                generated.addAndGet(maxTokens);
                prompts.addAndGet(tokens(prompt));
            }
        } catch (IOException e) {
            // the client went away (its deadline closed the stream): nothing more to send
        } finally {
            slots.release();
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", status == 200 && !body.startsWith("{") ? "text/plain" : "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
