package ai.sluice.gateway;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;

/** Sends a client's request on to a replica and waits for the response headers; the body is then read as it comes. */
final class Upstreams {
    private final GatewayConfig config;
    private final HttpClient http;

    Upstreams(GatewayConfig config, HttpClient http) {
        this.config = config;
        this.http = http;
    }

    /** Sends {@code x}'s request to {@code r} and waits for its response headers (at most the first-byte timeout). */
    Upstream open(Replica r, Exchange x) throws IOException {
        return open(r, x, x.body);
    }

    /** As {@link #open(Replica, Exchange)}, with {@code body} in place of the client's (the resume wire's fields). */
    Upstream open(Replica r, Exchange x, byte[] body) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(r.base().resolve(x.path))
                .timeout(config.firstByteTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String authorization = config.auth().upstreamHeader(x.authorization);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
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
}
