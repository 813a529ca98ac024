package ai.sluice.server.http;

import ai.sluice.engine.EmbeddingListener;
import ai.sluice.engine.EmbeddingMath;
import ai.sluice.engine.FinishReason;
import ai.sluice.engine.RequestHandle;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.api.ApiException;
import ai.sluice.server.api.Embeddings;
import ai.sluice.server.api.EmbeddingsParser;
import ai.sluice.server.api.EmbeddingsRequest;
import ai.sluice.server.api.Json;
import ai.sluice.server.api.Prompt;
import ai.sluice.server.serving.Embedder;
import ai.sluice.server.serving.OverloadedException;
import ai.sluice.server.serving.RejectedException;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.server.serving.TextCodec;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/embeddings}: every input becomes one sequence in the engine, up to
 * {@link #MAX_IN_FLIGHT} of them queued at a time so the scheduler batches them (with each other
 * and with whatever else runs); the handler waits for all vectors and answers in OpenAI's shape.
 */
final class EmbeddingsEndpoint {
    /**
     * Inputs of one request waiting or running in the engine at once: enough to fill the largest
     * useful batch, few enough that a request of OpenAI's 2048 inputs neither overflows the
     * engine's waiting queue (a 429 for a valid request) nor shuts other requests out of it.
     */
    static final int MAX_IN_FLIGHT = 64;

    private final ServerConfig config;
    private final Embedder embedder;
    private final TextCodec codec;
    private final EmbeddingsParser parser;

    EmbeddingsEndpoint(ServerConfig config, ServedModel servedModel) {
        this.config = config;
        this.embedder = servedModel.embedder();
        this.codec = servedModel.codec();
        this.parser = new EmbeddingsParser(codec.vocabularySize());
    }

    void embeddings(ServerRequest req, ServerResponse res, RequestInfo info, long arrival) {
        EmbeddingsRequest r = parser.parse(Json.readObject(HttpIo.body(req, config.maxBodyBytes())));
        info.model = config.servedModelName();
        if (r.model() != null && !r.model().equals(config.servedModelName())) {
            throw new ApiException(404, "invalid_request_error", "model", "model_not_found",
                    "The model '" + r.model() + "' does not exist.");
        }
        if (embedder == null) {
            throw ApiException.invalid("model", "the model '" + config.servedModelName() + "' gives no embeddings");
        }
        checkDimensions(r.dimensions());
        info.id = "embd-" + randomId();
        List<int[]> inputs = tokenize(r.inputs());
        int total = 0;
        for (int[] t : inputs) {
            total += t.length;
        }
        info.promptTokens = total;
        List<float[]> vectors = run(inputs, arrival + config.requestTimeout().toNanos());
        List<Embeddings.Embedding> data = new ArrayList<>(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            float[] v = r.dimensions() == null ? vectors.get(i)
                    : EmbeddingMath.l2Normalized(Arrays.copyOf(vectors.get(i), r.dimensions()));
            data.add(Embeddings.Embedding.of(i, r.base64() ? base64(v) : v));
        }
        info.status = 200;
        HttpIo.json(res, 200, Embeddings.EmbeddingList.of(data, config.servedModelName(), total));
    }

    /** As vLLM: only a Matryoshka-trained model may shorten its vectors; it truncates, then renormalises. */
    private void checkDimensions(Integer dimensions) {
        if (dimensions == null) {
            return;
        }
        if (!embedder.matryoshka()) {
            throw ApiException.invalid("dimensions", "the model '" + config.servedModelName() + "' does not support "
                    + "'dimensions': it is not declared Matryoshka-trained, and a shortened vector of another model "
                    + "is a poor embedding (serve with --matryoshka if it is one)");
        }
        if (dimensions > embedder.dimensions()) {
            throw ApiException.invalid("dimensions", "'dimensions' is " + dimensions + " but the model's vectors have "
                    + embedder.dimensions());
        }
    }

    private List<int[]> tokenize(List<Prompt> inputs) {
        int limit = Math.min(embedder.maxInputTokens(), config.maxPromptTokens());
        List<int[]> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            int[] tokens = switch (inputs.get(i)) {
                case Prompt.Text t -> codec.encode(t.text(), true);
                case Prompt.Tokens t -> t.tokens();
            };
            if (tokens.length > limit) {
                throw ApiException.invalid("input", "This model's maximum context length is " + limit + " tokens, "
                        + "however input " + i + " has " + tokens.length + " tokens. Shorten the input "
                        + "(this server never truncates).");
            }
            if (tokens.length == 0) {
                throw ApiException.invalid("input", "input " + i + " has no tokens");
            }
            out.add(tokens);
        }
        return out;
    }

    /** Submits every input, then waits for all until {@code deadline}; any refusal, failure or timeout cancels the rest. */
    private List<float[]> run(List<int[]> inputs, long deadline) {
        List<CompletableFuture<float[]>> results = new ArrayList<>(inputs.size());
        List<RequestHandle> handles = new ArrayList<>(inputs.size());
        Semaphore window = new Semaphore(MAX_IN_FLIGHT);
        AtomicBoolean failed = new AtomicBoolean();
        try {
            for (int[] tokens : inputs) {
                if (!window.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new TimeoutException();
                }
                if (failed.get()) {
                    break; // an input failed: the wait below reports it; submit no more
                }
                CompletableFuture<float[]> f = new CompletableFuture<>();
                f.whenComplete((v, e) -> window.release());
                results.add(f);
                handles.add(embedder.embed(tokens, new EmbeddingListener() {
                    @Override
                    public void onEmbedding(float[] embedding, int n) {
                        f.complete(embedding);
                    }

                    @Override
                    public void onFailure(FinishReason reason) {
                        failed.set(true);
                        f.completeExceptionally(new EmbeddingFailed(reason));
                    }
                }));
            }
            List<float[]> out = new ArrayList<>(inputs.size());
            for (CompletableFuture<float[]> f : results) {
                out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return out;
        } catch (TimeoutException e) {
            cancel(handles);
            throw new ApiException(504, "timeout", null, "request_timeout",
                    "the request timed out after " + config.requestTimeout().toSeconds() + " s");
        } catch (OverloadedException e) {
            cancel(handles);
            throw new ApiException(429, "rate_limit_exceeded", null, "queue_full",
                    e.getMessage() + "; retry in " + e.retryAfterSeconds() + " s (the Retry-After header)")
                    .withRetryAfter(e.retryAfterSeconds());
        } catch (RejectedException e) {
            cancel(handles);
            throw switch (e.kind()) {
                case INVALID_REQUEST -> ApiException.invalid("input", e.getMessage());
                case UNAVAILABLE -> new ApiException(503, "service_unavailable", null, "engine_unavailable",
                        e.getMessage());
            };
        } catch (InterruptedException e) {
            cancel(handles);
            Thread.currentThread().interrupt();
            throw new ApiException(503, "service_unavailable", null, null, "the request was interrupted");
        } catch (ExecutionException e) {
            cancel(handles);
            FinishReason reason = e.getCause() instanceof EmbeddingFailed f ? f.reason : null;
            String why = reason instanceof FinishReason.Error err ? err.message() : String.valueOf(reason);
            throw new ApiException(reason instanceof FinishReason.Cancelled ? 503 : 500,
                    reason instanceof FinishReason.Cancelled ? "service_unavailable" : "server_error", null, null,
                    "an embedding did not complete: " + why);
        }
    }

    private static void cancel(List<RequestHandle> handles) {
        for (RequestHandle h : handles) {
            h.cancel();
        }
    }

    /** OpenAI's base64 format: the float32 values, little-endian, as one base64 string. */
    static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static String randomId() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static final class EmbeddingFailed extends RuntimeException {
        final transient FinishReason reason;

        EmbeddingFailed(FinishReason reason) {
            super(String.valueOf(reason), null, false, false);
            this.reason = reason;
        }
    }
}
