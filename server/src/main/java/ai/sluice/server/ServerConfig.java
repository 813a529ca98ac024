package ai.sluice.server;

import ai.sluice.server.api.GenerationDefaults;

import java.time.Duration;
import java.util.List;

/**
 * How the HTTP server behaves. Limits exist so that no client can make the server fall over: bodies,
 * prompts, request time and what a slow reader can make the server hold are bounded here; the
 * waiting queue (by requests and by tokens) is the engine's, and a full one is a 429 with Retry-After.
 *
 * @param host               bind address (loopback by default: exposing a model is a decision), or
 *                           several separated by commas (e.g. {@code 127.0.0.1,::1}), all on {@code port}
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
                           GenerationDefaults generationDefaults, String toolCallParser) {

    public ServerConfig {
        apiKeys = List.copyOf(apiKeys);
        allowedOrigins = List.copyOf(allowedOrigins);
        if (servedModelName == null || servedModelName.isBlank()) {
            throw new IllegalArgumentException("a served model name is required");
        }
        if (maxBodyBytes <= 0 || maxPromptTokens <= 0 || streamQueueTokens <= 0) {
            throw new IllegalArgumentException("body, prompt and stream-queue limits must be positive");
        }
        if (host == null || host.isBlank() || host.split(",", -1).length != hostsOf(host).size()) {
            throw new IllegalArgumentException("--host must be an address or a comma-separated list of them, got '"
                    + host + "'");
        }
        if (hostsOf(host).size() > 1 && port == 0) {
            throw new IllegalArgumentException("several --host addresses need a fixed --port (0 would pick a different"
                    + " free port for each)");
        }
        if (clientStallTimeout.isNegative() || clientStallTimeout.isZero()) {
            throw new IllegalArgumentException("the client stall timeout must be positive, got " + clientStallTimeout);
        }
    }

    /** The addresses to listen on, in the order given. */
    public List<String> hosts() {
        return hostsOf(host);
    }

    /** The addresses in a {@code host} value: comma-separated, blanks around them ignored. */
    public static List<String> hostsOf(String host) {
        return java.util.Arrays.stream(host.split(",")).map(String::strip).filter(h -> !h.isEmpty()).distinct().toList();
    }

    /** Defaults for a model of {@code contextLength} tokens, served as {@code name}. */
    public static ServerConfig defaults(String name, int contextLength) {
        return new ServerConfig("127.0.0.1", 8000, name, List.of(), 4L << 20, contextLength,
                Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofSeconds(5), 1024, Duration.ofSeconds(30),
                List.of(), false, GenerationDefaults.OPENAI, null);
    }

    public ServerConfig withHost(String h) {
        return edit(b -> b.host = h);
    }

    public ServerConfig withPort(int p) {
        return edit(b -> b.port = p);
    }

    public ServerConfig withApiKeys(List<String> keys) {
        return edit(b -> b.apiKeys = keys);
    }

    public ServerConfig withLimits(long bodyBytes, int promptTokens) {
        return edit(b -> {
            b.maxBodyBytes = bodyBytes;
            b.maxPromptTokens = promptTokens;
        });
    }

    public ServerConfig withTimes(Duration timeout, Duration ping, Duration staleAfter) {
        return edit(b -> {
            b.requestTimeout = timeout;
            b.pingInterval = ping;
            b.healthStaleAfter = staleAfter;
        });
    }

    /** What a slow reader can make the server hold: queued tokens per sequence, and how long a write may block. */
    public ServerConfig withSlowClientLimits(int queueTokens, Duration stallTimeout) {
        return edit(b -> {
            b.streamQueueTokens = queueTokens;
            b.clientStallTimeout = stallTimeout;
        });
    }

    public ServerConfig withAllowedOrigins(List<String> origins) {
        return edit(b -> b.allowedOrigins = origins);
    }

    public ServerConfig withGenerationDefaults(GenerationDefaults defaults) {
        return edit(b -> b.generationDefaults = defaults);
    }

    public ServerConfig withFaultInjection(boolean enabled) {
        return edit(b -> b.faultInjection = enabled);
    }

    /** How tool calls are read from the model's text (vLLM's --tool-call-parser name); null: from the chat template. */
    public ServerConfig withToolCallParser(String parser) {
        return edit(b -> b.toolCallParser = parser);
    }

    /** A copy with the fields {@code change} sets; the compact constructor checks the result. */
    private ServerConfig edit(java.util.function.Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return f.build();
    }

    /** The record's components, mutable, for {@link #edit}. */
    private static final class Fields {
        String host;
        int port;
        final String servedModelName;
        List<String> apiKeys;
        long maxBodyBytes;
        int maxPromptTokens;
        Duration requestTimeout;
        Duration pingInterval;
        Duration healthStaleAfter;
        int streamQueueTokens;
        Duration clientStallTimeout;
        List<String> allowedOrigins;
        boolean faultInjection;
        GenerationDefaults generationDefaults;
        String toolCallParser;

        Fields(ServerConfig c) {
            host = c.host;
            port = c.port;
            servedModelName = c.servedModelName;
            apiKeys = c.apiKeys;
            maxBodyBytes = c.maxBodyBytes;
            maxPromptTokens = c.maxPromptTokens;
            requestTimeout = c.requestTimeout;
            pingInterval = c.pingInterval;
            healthStaleAfter = c.healthStaleAfter;
            streamQueueTokens = c.streamQueueTokens;
            clientStallTimeout = c.clientStallTimeout;
            allowedOrigins = c.allowedOrigins;
            faultInjection = c.faultInjection;
            generationDefaults = c.generationDefaults;
            toolCallParser = c.toolCallParser;
        }

        ServerConfig build() {
            return new ServerConfig(host, port, servedModelName, apiKeys, maxBodyBytes, maxPromptTokens, requestTimeout,
                    pingInterval, healthStaleAfter, streamQueueTokens, clientStallTimeout, allowedOrigins, faultInjection,
                    generationDefaults, toolCallParser);
        }
    }
}
