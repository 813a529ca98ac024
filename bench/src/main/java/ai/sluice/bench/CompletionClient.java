package ai.sluice.bench;

import ai.sluice.wire.CompletionChunk;
import ai.sluice.wire.RequestError;
import ai.sluice.wire.SseParser;
import ai.sluice.wire.WireFormatException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * HTTP to one OpenAI-compatible server: streaming completions with a timestamp per chunk, plus the side endpoints
 * bench uses ({@code /v1/models}, {@code /tokenize}, {@code /metrics}). Thread-safe; requests run on virtual threads.
 */
public final class CompletionClient implements AutoCloseable {
    private final URI base;
    private final String apiKey;
    private final Duration timeout;
    private final ObjectMapper json = new ObjectMapper();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    // One platform thread enforces whole-request deadlines by closing streams that run past them.
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-deadlines");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param base    server root, e.g. {@code http://localhost:8000} (a trailing {@code /v1} is accepted)
     * @param apiKey  sent as a bearer token when not null
     * @param timeout limit for one whole request, streaming included
     */
    public CompletionClient(URI base, String apiKey, Duration timeout) {
        this.base = normalize(base);
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10))
                .executor(executor)
                .build();
    }

    static URI normalize(URI uri) {
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("/v1")) {
            s = s.substring(0, s.length() - 3);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new BenchException("--url must be an http(s) URL like http://localhost:8000, got " + uri);
        }
        return URI.create(s);
    }

    public URI base() {
        return base;
    }

    public boolean hasApiKey() {
        return apiKey != null;
    }

    /**
     * Sends one streaming completion and records the arrival of every chunk.
     *
     * @param epochNanos {@link System#nanoTime()} at the start of the measured phase; record times are relative to it
     */
    public RequestRecord complete(int index, String model, Prompt prompt, long epochNanos, ChunkListener listener) {
        RequestRecord record = exchange(index, model, prompt, epochNanos, listener);
        listener.onDone(record);
        return record;
    }

    private RequestRecord exchange(int index, String model, Prompt prompt, long epochNanos, ChunkListener listener) {
        ObjectNode body = json.createObjectNode();
        body.put("model", model);
        body.put("prompt", prompt.text());
        body.put("max_tokens", prompt.maxTokens());
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        body.put("ignore_eos", true);
        body.put("temperature", 0.0);
        HttpRequest request = request("/v1/completions")
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();

        long start = System.nanoTime();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            return failed(index, start - epochNanos, prompt, new RequestError.Connection("connect timed out"));
        } catch (HttpTimeoutException e) {
            return failed(index, start - epochNanos, prompt,
                    new RequestError.Timeout("no response headers within " + timeout.toMillis() + " ms"));
        } catch (IOException e) {
            return failed(index, start - epochNanos, prompt, new RequestError.Connection(describe(e)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(index, start - epochNanos, prompt, new RequestError.Connection("interrupted"));
        }
        InputStream stream = response.body();
        Deadline deadline = new Deadline(Thread.currentThread(), stream);
        long remaining = timeout.toNanos() - (System.nanoTime() - start);
        ScheduledFuture<?> timer = deadlines.schedule(deadline::expire, Math.max(remaining, 0), TimeUnit.NANOSECONDS);
        try (stream) {
            if (response.statusCode() != 200) {
                String text = new String(stream.readNBytes(2048), StandardCharsets.UTF_8);
                return failed(index, start - epochNanos, prompt,
                        new RequestError.HttpStatus(response.statusCode(), CompletionChunk.abbreviate(errorMessage(text))));
            }
            return readStream(index, start, epochNanos, prompt, stream, listener);
        } catch (IOException e) {
            RequestError error = deadline.finish()
                    ? new RequestError.Timeout("stream not finished within " + timeout.toMillis() + " ms")
                    : new RequestError.StreamError("reading the stream failed: " + describe(e));
            return failed(index, start - epochNanos, prompt, error);
        } finally {
            timer.cancel(false);
            deadline.finish();
        }
    }

    /**
     * Ends a stream that runs past the request timeout. Closing the body alone does not wake a reader blocked on
     * the next chunk, so the reader is interrupted too; the lock makes sure no interrupt lands after the request
     * is finished (the thread goes on to the next request in a closed loop).
     */
    private static final class Deadline {
        private final Thread reader;
        private final InputStream stream;
        private boolean finished;
        private boolean expired;

        Deadline(Thread reader, InputStream stream) {
            this.reader = reader;
            this.stream = stream;
        }

        synchronized void expire() {
            if (!finished) {
                expired = true;
                reader.interrupt();
                closeQuietly(stream);
            }
        }

        /** Called by the reader when done; returns whether the deadline fired, and clears its interrupt. */
        synchronized boolean finish() {
            finished = true;
            if (expired) {
                Thread.interrupted();
            }
            return expired;
        }
    }

    private RequestRecord readStream(int index, long start, long epochNanos, Prompt prompt, InputStream stream,
                                     ChunkListener listener) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
        SseParser sse = new SseParser();
        long[] chunks = new long[Math.max(16, prompt.maxTokens() + 1)];
        int n = 0;
        int promptTokens = -1;
        int completionTokens = -1;
        boolean done = false;
        String line;
        while (!done) {
            line = reader.readLine();
            String event = line == null ? sse.finish() : sse.accept(line);
            long now = System.nanoTime();
            if (event != null) {
                if (event.equals("[DONE]")) {
                    done = true;
                    break;
                }
                CompletionChunk chunk;
                try {
                    chunk = CompletionChunk.parse(json, event);
                } catch (WireFormatException e) {
                    return failed(index, start - epochNanos, prompt, new RequestError.StreamError(e.getMessage()));
                }
                if (chunk.error() != null) {
                    return failed(index, start - epochNanos, prompt,
                            new RequestError.StreamError("server error in stream: " + chunk.error()));
                }
                if (chunk.hasChoice()) {
                    if (n == chunks.length) {
                        chunks = Arrays.copyOf(chunks, n * 2);
                    }
                    chunks[n++] = now - epochNanos;
                    listener.onChunk();
                }
                if (chunk.hasUsage()) {
                    promptTokens = chunk.promptTokens();
                    completionTokens = chunk.completionTokens();
                }
            }
            if (line == null) {
                break;
            }
        }
        if (!done) {
            return failed(index, start - epochNanos, prompt,
                    new RequestError.StreamError("stream ended before data: [DONE] after " + n + " chunks"));
        }
        if (n == 0) {
            return failed(index, start - epochNanos, prompt,
                    new RequestError.StreamError("stream finished without any completion chunk"));
        }
        boolean usage = completionTokens >= 0;
        return new RequestRecord(index, start - epochNanos, Arrays.copyOf(chunks, n),
                usage && promptTokens >= 0 ? promptTokens : prompt.tokens(), usage ? completionTokens : n, usage, null);
    }

    private RequestRecord failed(int index, long startNanos, Prompt prompt, RequestError error) {
        return new RequestRecord(index, startNanos, new long[0], prompt.tokens(), 0, false, error);
    }

    /**
     * What one side request got back: the HTTP status and body, or status {@value #UNREACHABLE} with the I/O
     * failure in {@code body} when no answer came.
     */
    public record Answer(int status, String body) {
        public boolean unreachable() {
            return status == UNREACHABLE;
        }

        /** 401 or 403: the server wants a (different) API key. */
        public boolean refusedKey() {
            return status == 401 || status == 403;
        }
    }

    public static final int UNREACHABLE = -1;

    /** The first model id the server lists at {@code GET /v1/models}. */
    public Optional<String> firstModel() {
        return get("/v1/models").flatMap(CompletionClient.this::firstModelIn);
    }

    /** The first model id in a {@code /v1/models} body, if it has one. */
    public Optional<String> firstModelIn(String modelsBody) {
        try {
            JsonNode id = json.readTree(modelsBody).path("data").path(0).path("id");
            return id.isTextual() ? Optional.of(id.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Token count of a prompt from the server's vLLM-style {@code POST /tokenize}; empty if it has none. */
    public OptionalInt tokenize(String model, String text) {
        return tokenize(model, text, TokenizeForm.VLLM);
    }

    /**
     * Token count of a prompt from the server's {@code POST /tokenize} asked in {@code form}; empty unless it
     * answers 200 with a count or a token list.
     */
    public OptionalInt tokenize(String model, String text, TokenizeForm form) {
        return countIn(tokenizeAnswer(model, text, form));
    }

    /** The token count in a {@code /tokenize} answer: its {@code count}, or the length of its {@code tokens}. */
    public OptionalInt countIn(Answer answer) {
        if (answer.status() != 200) {
            return OptionalInt.empty();
        }
        try {
            JsonNode node = json.readTree(answer.body());
            if (node.path("count").isInt()) {
                return OptionalInt.of(node.get("count").asInt());
            }
            if (node.path("tokens").isArray()) {
                return OptionalInt.of(node.get("tokens").size());
            }
            return OptionalInt.empty();
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    /** The raw answer of {@code POST /tokenize} in {@code form} (for telling a missing endpoint from a 401). */
    public Answer tokenizeAnswer(String model, String text, TokenizeForm form) {
        ObjectNode body = json.createObjectNode();
        switch (form) {
            case VLLM -> {
                body.put("model", model);
                body.put("prompt", text);
            }
            case LLAMA_SERVER -> {
                body.put("content", text);
                body.put("add_special", true);
            }
        }
        return send(request("/tokenize")
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build());
    }

    /** {@code GET path}: status and body, or {@link #UNREACHABLE} (never throws for I/O). */
    public Answer fetch(String path) {
        return send(request(path).timeout(Duration.ofSeconds(5)).GET().build());
    }

    private Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(UNREACHABLE, describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(UNREACHABLE, "interrupted");
        }
    }

    /** The body of {@code GET path} when the server answers 200, else empty (never throws for I/O). */
    public Optional<String> get(String path) {
        Answer answer = fetch(path);
        return answer.status() == 200 ? Optional.of(answer.body()) : Optional.empty();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private String errorMessage(String body) {
        try {
            JsonNode node = json.readTree(body);
            JsonNode message = node.path("error").path("message");
            if (message.isTextual()) {
                return message.asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the raw body is the best message there is
        }
        return body;
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // closing is how the deadline interrupts the reader; a failure here changes nothing
        }
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        // shutdownNow, not close: close waits for exchanges still open (a stalled stream would hang the exit).
        http.shutdownNow();
        executor.shutdownNow();
    }
}
