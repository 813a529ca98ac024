package ai.sluice.gateway;

import ai.sluice.wire.Sse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

/**
 * Sends a client's request on to a replica or provider and waits for the response headers; the body is then read
 * as it comes. Replicas get the client's body as sent; an OpenAI-compatible provider gets it with its own model
 * name and our key for it; Anthropic's Messages API gets a translation, and its answer is translated back. Streams
 * are asked for their usage when the gateway has pools or named keys (for the cost counters and token limits); when
 * the client did not ask for it, that chunk is not passed on.
 */
final class Upstreams {
    private final GatewayConfig config;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    Upstreams(GatewayConfig config, HttpClient http) {
        this.config = config;
        this.http = http;
    }

    /** Sends {@code x}'s request to {@code r} (of {@code x.pool}) and waits for its response headers. */
    Upstream open(Replica r, Exchange x) throws IOException {
        return open(r, x, null);
    }

    /**
     * As {@link #open(Replica, Exchange)}, sending {@code request} (the client's with the resume wire's fields)
     * in place of the client's body; null sends the client's. Only Sluice replicas get one, never an external API.
     */
    Upstream open(Replica r, Exchange x, ObjectNode request) throws IOException {
        ExternalApi api = x.pool == null ? null : x.pool.spec.external();
        if (api == null) {
            String authorization = config.auth().upstreamHeader(x.authorization);
            return send(request(r.base().resolve(x.path), config.firstByteTimeout(), body(x, request, null),
                    authorization));
        }
        String theirModel = api.theirModel(x.model);
        if (api.wire() == ExternalApi.Wire.OPENAI) {
            // base_url ends in /v1 (https://api.openai.com/v1): our /v1/chat/completions is its /chat/completions
            String path = x.path.startsWith("/v1/") ? x.path.substring(3) : x.path;
            return send(request(URI.create(api.baseUrl() + path), api.timeout(), body(x, null, theirModel),
                    "Bearer " + api.key().value()));
        }
        ObjectNode messages = AnthropicMessages.request(x.request, theirModel);
        x.hideUsage = !x.request.path("stream_options").path("include_usage").asBoolean(false);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/messages"))
                .timeout(api.timeout())
                .header("Content-Type", "application/json")
                .header("x-api-key", api.key().value())
                .header("anthropic-version", AnthropicMessages.VERSION)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(messages)));
        Upstream up = send(b);
        if (up.status() == 200 && up.contentType().startsWith(Sse.CONTENT_TYPE)) {
            return new Upstream(200, up.contentType(), up.headers(), new AnthropicStream(up.body(), x.model));
        }
        byte[] raw = up.body().readAll(config.streamStallTimeout());
        byte[] translated = up.status() == 200 ? AnthropicMessages.response(raw, x.model)
                : AnthropicMessages.error(raw, up.status());
        return new Upstream(up.status(), "application/json", up.headers(), new Bytes(translated));
    }

    /**
     * The body to send: {@code request} (the resume wire's) or the client's own, with the provider's model name when
     * it differs and a stream's usage asked for when the cost counters need it ({@code x.hideUsage} then keeps the
     * usage chunk from the client); the client's bytes unchanged when none of that applies.
     */
    private byte[] body(Exchange x, ObjectNode request, String theirModel) throws IOException {
        boolean stream = x.request != null && x.request.path("stream").asBoolean(false);
        // only a gateway with pools or named keys counts tokens; the plain one passes bodies through untouched
        boolean askUsage = config.policy() != null && stream
                && !x.request.path("stream_options").path("include_usage").asBoolean(false);
        boolean rename = theirModel != null && !theirModel.equals(x.model);
        x.hideUsage = askUsage;
        if (request == null && !askUsage && !rename) {
            return x.body;
        }
        ObjectNode copy = request != null ? request : x.request.deepCopy();
        if (rename) {
            copy.put("model", theirModel);
        }
        if (askUsage) {
            copy.putObject("stream_options").put("include_usage", true);
        }
        return json.writeValueAsBytes(copy);
    }

    private static HttpRequest.Builder request(URI uri, Duration timeout, byte[] body, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private Upstream send(HttpRequest.Builder builder) throws IOException {
        HttpRequest request = builder.build();
        UpstreamBody upstreamBody = new UpstreamBody();
        CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> pending =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher());
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
        try {
            response = pending.get();
        } catch (CancellationException e) {
            throw new IOException("cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause == null ? e.getMessage() : cause.toString(), cause);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        response.body().subscribe(upstreamBody);
        String contentType = response.headers().firstValue("content-type").orElse("application/json");
        return new Upstream(response.statusCode(), contentType, response.headers(), upstreamBody);
    }

    /** A body already in hand (a translated answer). */
    private static final class Bytes implements BodySource {
        private byte[] bytes;

        Bytes(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public byte[] next(Duration stall) {
            byte[] b = bytes;
            bytes = null;
            return b;
        }

        @Override
        public void cancel() {
            bytes = null;
        }
    }
}
