package ai.sluice.server;

import ai.sluice.server.api.GenerationDefaults;

import java.time.Duration;
import java.util.List;

/**
 * How the HTTP server behaves. Limits exist so that no client can make the server fall over: bodies,
 * prompts, request time and what a slow reader can make the server hold are bounded here; the
 * waiting queue (by requests and by tokens) is the engine's, and a full one is a 429 with Retry-After.
 *
 * @param host               bind address (loopback by default: exposing a model is a decision)
 * @param port               0 picks a free port
 * @param apiKeys            accepted keys; empty means no authentication
 * @param maxBodyBytes       largest request body; larger is a 413
 * @param maxPromptTokens    longest prompt; longer is a 400 (never cut silently)
 * @param requestTimeout     a request still running after this is cancelled
 * @param pingInterval       how often an idle stream gets a {@code : ping} (and a slow response a space)
 * @param healthStaleAfter   /health and /ready fail once the engine's heartbeat is older than this
 * @param streamQueueTokens  tokens one sequence may have waiting for a slow client before it is cancelled
 * @param clientStallTimeout a write to a client that blocks this long (the client stopped reading and
 *                           the socket buffers are full) cancels the request
 * @param allowedOrigins     browser origins allowed by CORS ({@code *} for any); empty sends no CORS headers
 * @param faultInjection     serve {@code POST /debug/freeze-engine} so tests of a running process can
 *                           hang the engine loop; never in production
 * @param generationDefaults sampling values for the fields a request leaves out
 */
public record ServerConfig(String host, int port, String servedModelName, List<String> apiKeys, long maxBodyBytes,
                           int maxPromptTokens, Duration requestTimeout, Duration pingInterval,
                           Duration healthStaleAfter, int streamQueueTokens, Duration clientStallTimeout,
                           List<String> allowedOrigins, boolean faultInjection,
                           GenerationDefaults generationDefaults) {

    public ServerConfig {
        apiKeys = List.copyOf(apiKeys);
        allowedOrigins = List.copyOf(allowedOrigins);
        if (servedModelName == null || servedModelName.isBlank()) {
            throw new IllegalArgumentException("a served model name is required");
        }
        if (maxBodyBytes <= 0 || maxPromptTokens <= 0 || streamQueueTokens <= 0) {
            throw new IllegalArgumentException("body, prompt and stream-queue limits must be positive");
        }
        if (clientStallTimeout.isNegative() || clientStallTimeout.isZero()) {
            throw new IllegalArgumentException("the client stall timeout must be positive, got " + clientStallTimeout);
        }
    }

    /** Defaults for a model of {@code contextLength} tokens, served as {@code name}. */
    public static ServerConfig defaults(String name, int contextLength) {
        return new ServerConfig("127.0.0.1", 8000, name, List.of(), 4L << 20, contextLength,
                Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofSeconds(5), 1024, Duration.ofSeconds(30),
                List.of(), false, GenerationDefaults.OPENAI);
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, servedModelName, apiKeys, maxBodyBytes, maxPromptTokens, requestTimeout,
                pingInterval, healthStaleAfter, streamQueueTokens, clientStallTimeout, allowedOrigins, faultInjection,
                generationDefaults);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, servedModelName, apiKeys, maxBodyBytes, maxPromptTokens, requestTimeout,
                pingInterval, healthStaleAfter, streamQueueTokens, clientStallTimeout, allowedOrigins, faultInjection,
                generationDefaults);
    }

    public ServerConfig withApiKeys(List<String> keys) {
        return new ServerConfig(host, port, servedModelName, keys, maxBodyBytes, maxPromptTokens, requestTimeout,
                pingInterval, healthStaleAfter, streamQueueTokens, clientStallTimeout, allowedOrigins, faultInjection,
                generationDefaults);
    }

    public ServerConfig withLimits(long bodyBytes, int promptTokens) {
        return new ServerConfig(host, port, servedModelName, apiKeys, bodyBytes, promptTokens, requestTimeout,
                pingInterval, healthStaleAfter, streamQueueTokens, clientStallTimeout, allowedOrigins, faultInjection,
                generationDefaults);
    }

    public ServerConfig withTimes(Duration timeout, Duration ping, Duration staleAfter) {
        return new ServerConfig(host, port, servedModelName, apiKeys, maxBodyBytes, maxPromptTokens, timeout, ping,
                staleAfter, streamQueueTokens, clientStallTimeout, allowedOrigins, faultInjection,
                generationDefaults);
    }

    /** What a slow reader can make the server hold: queued tokens per sequence, and how long a write may block. */
    public ServerConfig withSlowClientLimits(int queueTokens, Duration stallTimeout) {
        return new ServerConfig(host, port, servedModelName, apiKeys, maxBodyBytes, maxPromptTokens, requestTimeout,
                pingInterval, healthStaleAfter, queueTokens, stallTimeout, allowedOrigins, faultInjection,
                generationDefaults);
    }

    public ServerConfig withAllowedOrigins(List<String> origins) {
        return new ServerConfig(host, port, servedModelName, apiKeys, maxBodyBytes, maxPromptTokens, requestTimeout,
                pingInterval, healthStaleAfter, streamQueueTokens, clientStallTimeout, origins, faultInjection,
                generationDefaults);
    }

    public ServerConfig withGenerationDefaults(GenerationDefaults defaults) {
        return new ServerConfig(host, port, servedModelName, apiKeys, maxBodyBytes, maxPromptTokens, requestTimeout,
                pingInterval, healthStaleAfter, streamQueueTokens, clientStallTimeout, allowedOrigins, faultInjection,
                defaults);
    }

    public ServerConfig withFaultInjection(boolean enabled) {
        return new ServerConfig(host, port, servedModelName, apiKeys, maxBodyBytes, maxPromptTokens, requestTimeout,
                pingInterval, healthStaleAfter, streamQueueTokens, clientStallTimeout, allowedOrigins, enabled,
                generationDefaults);
    }
}
