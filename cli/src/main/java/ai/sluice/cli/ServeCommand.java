package ai.sluice.cli;

import ai.sluice.engine.Detokenizer;
import ai.sluice.engine.Engine;
import ai.sluice.engine.KvCacheLayout;
import ai.sluice.engine.EngineConfig;
import ai.sluice.engine.EngineWarmup;
import ai.sluice.core.tensor.KvType;
import ai.sluice.engine.LlamaRunner;
import ai.sluice.engine.SchedulingPolicy;
import ai.sluice.plan.CpuPlan;
import ai.sluice.server.ServerConfig;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import ai.sluice.server.api.ApiException;
import ai.sluice.server.api.GenerationDefaults;
import ai.sluice.server.chat.ChatMessage;
import ai.sluice.server.chat.ChatTemplate;
import ai.sluice.server.tools.ToolCallFormat;
import ai.sluice.server.chat.ChatTemplateException;
import ai.sluice.server.SluiceServer;
import ai.sluice.engine.EncoderEngine;
import ai.sluice.server.serving.EncoderServedModel;
import ai.sluice.server.serving.EngineServedModel;
import ai.sluice.server.serving.ServedModel;
import ai.sluice.server.serving.TokenizerCodec;
import ai.sluice.server.http.AccessLog;
import ai.sluice.core.tokenizer.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sluice serve}: the OpenAI-compatible HTTP server over the continuous-batching engine.
 * SIGTERM (and Ctrl-C) drain: readiness turns false, new requests get 503, requests in flight finish
 * (up to {@code --drain-timeout}), then the process exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a model over an OpenAI-compatible HTTP API (completions, chat, streaming, metrics).")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "Bind address, or several comma-separated (e.g. 127.0.0.1,::1) on one --port "
                    + "(default: ${DEFAULT-VALUE}; use 0.0.0.0 to expose it).")
    String host;

    @Option(names = "--port", defaultValue = "8000", paramLabel = "N", description = "Port (default: ${DEFAULT-VALUE}; 0 = any free).")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Accepted key (Authorization: Bearer or X-Api-Key); repeat for several. Visible to other "
                    + "users in the process list: prefer --api-key-file or $SLUICE_API_KEY.")
    List<String> apiKeys = new ArrayList<>();

    @Option(names = "--api-key-file", paramLabel = "FILE",
            description = "File with accepted keys, one per line (blank lines and # comments ignored).")
    Path apiKeyFile;

    @Option(names = "--allowed-origins", split = ",", paramLabel = "ORIGIN",
            description = "Browser origins allowed by CORS, comma-separated, or * for any (default: none, no CORS headers).")
    List<String> allowedOrigins = new ArrayList<>();

    @Option(names = "--client-stall-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Cancel a request whose client stopped reading for this long (default: ${DEFAULT-VALUE}).")
    long clientStallTimeout;

    @Option(names = "--enable-fault-injection", hidden = true,
            description = "Serve POST /debug/freeze-engine for fault-injection tests. Never in production.")
    boolean faultInjection;

    @Option(names = "--served-model-name", paramLabel = "NAME", description = "Model id clients use (default: the file name without .gguf).")
    String servedModelName;

    @Option(names = "--max-body-bytes", defaultValue = "4194304", paramLabel = "N", description = "Largest request body (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(names = "--max-prompt-tokens", defaultValue = "0", paramLabel = "N", description = "Longest prompt; longer is a 400 (default: the context length).")
    int maxPromptTokens;

    @Option(names = "--request-timeout", defaultValue = "600", paramLabel = "SECONDS", description = "Cancel requests running longer (default: ${DEFAULT-VALUE}).")
    long requestTimeout;

    @Option(names = "--drain-timeout", defaultValue = "30", paramLabel = "SECONDS", description = "On SIGTERM, wait this long for requests in flight (default: ${DEFAULT-VALUE}).")
    long drainTimeout;

    @Option(names = "--health-stale-after", defaultValue = "5", paramLabel = "SECONDS", description = "/health fails when the engine loop has not beaten for this long (default: ${DEFAULT-VALUE}).")
    long healthStaleAfter;

    @Option(names = "--ping-interval-ms", defaultValue = "1000", paramLabel = "MS", description = "SSE ': ping' while a stream waits; also how fast a gone client is noticed (default: ${DEFAULT-VALUE}).")
    long pingIntervalMs;

    @Option(names = "--max-num-seqs", defaultValue = "32", paramLabel = "N", description = "Most sequences per engine step (default: ${DEFAULT-VALUE}).")
    int maxNumSeqs;

    @Option(names = "--max-batched-tokens", defaultValue = "512", paramLabel = "N", description = "Most tokens per engine step (default: ${DEFAULT-VALUE}).")
    int maxBatchedTokens;

    @Option(names = "--max-model-len", defaultValue = "0", paramLabel = "N", description = "Longest sequence (default: the model's context).")
    int maxModelLen;

    @Option(names = "--kv-cache-memory", paramLabel = "BYTES", description = "KV cache budget in bytes (default: --kv-cache-fraction of free memory).")
    Long kvCacheMemory;

    @Option(names = "--kv-cache-fraction", defaultValue = "0.5", paramLabel = "F", description = "KV cache budget as a fraction of memory left after the weights, at most what --max-num-seqs full sequences use (default: ${DEFAULT-VALUE}).")
    double kvCacheFraction;

    @Option(names = "--block-size", defaultValue = "16", paramLabel = "N", description = "Tokens per KV block (default: ${DEFAULT-VALUE}).")
    int blockSize;

    @Option(names = "--max-waiting-requests", defaultValue = "256", paramLabel = "N", description = "Waiting queue bound; beyond it 429 (default: ${DEFAULT-VALUE}).")
    int maxWaitingRequests;

    @Option(names = "--max-waiting-tokens", defaultValue = "262144", paramLabel = "N", description = "Prompt tokens in the waiting queue; beyond it 429 (default: ${DEFAULT-VALUE}).")
    long maxWaitingTokens;

    @Option(names = "--scheduling", defaultValue = "fcfs", paramLabel = "P", description = "fcfs or priority (default: ${DEFAULT-VALUE}).")
    String scheduling;

    @Option(names = "--no-prefix-caching", description = "Do not share KV blocks of identical prompt prefixes.")
    boolean noPrefixCaching;

    @Option(names = "--no-warmup", description = "Listen at once instead of first running a few requests so the JIT "
            + "has compiled the serving code (the first request then pays for it).")
    boolean noWarmup;

    @Option(names = "--chat-template", paramLabel = "FILE",
            description = "Jinja chat template to use instead of the model's tokenizer.chat_template.")
    Path chatTemplate;

    @Option(names = "--tool-call-parser", paramLabel = "NAME",
            description = "How tool calls are read from the model's text: hermes (Hermes, Qwen <tool_call>), "
                    + "llama3_json or mistral (vLLM's names). Default: from the chat template.")
    String toolCallParser;

    @Option(names = "--override-generation-config", paramLabel = "JSON",
            description = "Server-wide defaults for sampling fields a request leaves out, e.g. "
                    + "'{\"temperature\":0.7,\"top_p\":0.9,\"max_tokens\":256,\"seed\":1}' (vLLM's flag).")
    String generationConfig;

    @Option(names = "--pooling", paramLabel = "P",
            description = "Embedding pooling for a model whose GGUF declares none: mean, cls or last (default: mean; "
                    + "a declared <arch>.pooling_type always wins).")
    String pooling;

    @Option(names = "--matryoshka", description = "The model was trained with Matryoshka representation learning: "
            + "/v1/embeddings may shorten vectors to a request's 'dimensions' (else such a request is a 400).")
    boolean matryoshka;

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "Log lines on stderr: text or json, one line per record (default: $SLUICE_LOG_FORMAT, else text).")
    String logFormat;

    private static final System.Logger LOG = System.getLogger("ai.sluice.cli.serve");

    private static void info(String message) {
        LOG.log(System.Logger.Level.INFO, message);
    }

    @Override
    public Integer call() throws Exception {
        LogLines.install(logFormat != null ? LogLines.parse(logFormat) : LogLines.fromEnvironment());
        if (apiKeyFile != null) {
            apiKeys.addAll(ApiKeyFile.read(apiKeyFile));
        }
        if (apiKeys.isEmpty() && System.getenv("SLUICE_API_KEY") != null && !System.getenv("SLUICE_API_KEY").isBlank()) {
            apiKeys.add(System.getenv("SLUICE_API_KEY"));
        }
        checkFlags();
        if (toolCallParser != null) {
            try {
                ToolCallFormat.named(toolCallParser); // before the model loads
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--tool-call-parser: " + e.getMessage());
            }
        }
        GenerationDefaults defaults = generationDefaults();
        String template = chatTemplate == null ? null : readChatTemplate(chatTemplate);
        for (String address : ServerConfig.hostsOf(host)) {
            SluiceServer.checkBindable(address, port); // before loading and warming up, which take seconds
        }
        String name = servedModelName != null ? servedModelName
                : model.name();
        if (model.isEncoder()) {
            return serveEncoder(name, defaults);
        }
        LoadedModel loaded = model.load();
        EngineServedModel servedModel;
        SluiceServer server;
        try {
            LlamaRunner runner = new LlamaRunner(loaded.model());
            EngineConfig engineConfig = engineConfig(loaded);
            if (!noWarmup) {
                warmUp(loaded, engineConfig);
            }
            Engine engine = Engine.start(runner, engineConfig);
            EmbeddingFlags.Resolved embeddings = new EmbeddingFlags(pooling, matryoshka).resolve(loaded.file().metadata());
            servedModel = new EngineServedModel(engine, new TokenizerCodec(loaded.tokenizer(), template != null ? template
                    : loaded.file().metadata().findString("tokenizer.chat_template").orElse(null)), embeddings.settings());
            info(embeddings.logLine());
            ServerConfig config = serverConfig(name, defaults, engine.maxModelLen() - 1);
            server = SluiceServer.start(config, servedModel, AccessLog.stdout());
            // The plan this process runs under, beside what the engine really allocated: the two must agree.
            CpuPlan plan = CpuPlan.of(loaded.model().config().shape(), model.kvTypeOr(KvType.F16));
            KvCacheLayout layout = engine.kvCacheLayout();
            info(plan.describe(layout.tokens()));
            info(String.format(Locale.ROOT, "allocated KV pool %,d B (%,d blocks of %d tokens)",
                    layout.bytes(), layout.blocks(), layout.blockSize()));
            info(kvBudgetLine(layout, engine.maxModelLen()));
            info(String.format(Locale.ROOT, "serving %s as '%s' on http://%s:%d (%s, context %d, KV %d blocks of %d)",
                    model.file().getFileName(), name, host, server.port(),
                    apiKeys.isEmpty() ? "no API key" : apiKeys.size() + " API key(s)", engine.maxModelLen(),
                    engine.kvCacheLayout().blocks(), engine.kvCacheLayout().blockSize()));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        return awaitStopSignal(server, servedModel, loaded);
    }

    private ServerConfig serverConfig(String name, GenerationDefaults defaults, int promptLimit) {
        return new ServerConfig(host, port, name, apiKeys, maxBodyBytes,
                maxPromptTokens > 0 ? maxPromptTokens : promptLimit,
                Duration.ofSeconds(requestTimeout), Duration.ofMillis(pingIntervalMs),
                Duration.ofSeconds(healthStaleAfter), 1024, Duration.ofSeconds(clientStallTimeout),
                allowedOrigins, faultInjection, defaults, toolCallParser);
    }

    /** An encoder (BERT) model: no KV cache and no generation; {@code /v1/embeddings} is what it serves. */
    private int serveEncoder(String name, GenerationDefaults defaults) throws Exception {
        LoadedEncoder loaded = model.loadEncoder();
        EncoderServedModel servedModel;
        SluiceServer server;
        try {
            EmbeddingFlags.Resolved embeddings = new EmbeddingFlags(pooling, matryoshka).resolve(loaded.file().metadata());
            EncoderEngine engine = EncoderEngine.start(loaded.model(), EngineConfig.builder().maxNumSeqs(maxNumSeqs)
                    .maxBatchedTokens(maxBatchedTokens).maxModelLen(maxModelLen)
                    .maxWaitingRequests(maxWaitingRequests).maxWaitingTokens(maxWaitingTokens).build());
            servedModel = new EncoderServedModel(engine, new TokenizerCodec(loaded.tokenizer(), null),
                    embeddings.settings(), loaded.model().config().architecture());
            server = SluiceServer.start(serverConfig(name, defaults, engine.maxLength()), servedModel,
                    AccessLog.stdout());
            info(embeddings.logLine());
            info(String.format(Locale.ROOT, "serving %s as '%s' on http://%s:%d (%s, embedding model: %s encoder, "
                            + "%d dimensions, context %d, no KV cache)", model.file().getFileName(), name, host,
                    server.port(), apiKeys.isEmpty() ? "no API key" : apiKeys.size() + " API key(s)",
                    loaded.model().config().architecture(), engine.embeddingLength(), engine.maxLength()));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        return awaitStopSignal(server, servedModel, loaded);
    }

    /**
     * The first SIGTERM or Ctrl-C drains, then halts with 0: a drained shutdown is a clean,
     * successful exit (the JVM's default would report the signal, exit 143). A second Ctrl-C stops at once.
     */
    private int awaitStopSignal(SluiceServer running, ServedModel served, AutoCloseable loaded) throws Exception {
        StopSignals.install(() -> {
            info("draining (up to " + drainTimeout + " s; Ctrl-C again to stop at once)");
            boolean idle;
            try {
                idle = running.drain(Duration.ofSeconds(drainTimeout));
            } catch (InterruptedException e) {
                idle = false;
            }
            running.stop();
            served.close();
            try {
                loaded.close();
            } catch (Exception ignored) {
                // exiting anyway
            }
            info(idle ? "drained, exiting" : "drain timeout, exiting with requests still open");
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0);
        });
        new CountDownLatch(1).await(); // serve until a signal ends the process
        return 0;
    }

    private GenerationDefaults generationDefaults() {
        if (generationConfig == null) {
            return GenerationDefaults.OPENAI;
        }
        try {
            return GenerationDefaults.parse(new ObjectMapper().readTree(generationConfig));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("--override-generation-config is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (ApiException e) {
            throw new IllegalArgumentException("--override-generation-config: " + e.getMessage());
        }
    }

    private static String readChatTemplate(Path file) {
        try {
            String text = Files.readString(file);
            // a template that fails fails now, not on the first chat request
            ChatTemplate.of(text, "", "").render(List.of(new ChatMessage("user", "Hello", null)), true);
            return text;
        } catch (IOException e) {
            throw new IllegalArgumentException("--chat-template " + file + ": cannot read it (" + e + ")");
        } catch (ChatTemplateException e) {
            throw new IllegalArgumentException("--chat-template " + file + ": " + e.getMessage());
        }
    }

    /** What the KV pool holds in the units a user thinks in, and which flags change it. */
    private String kvBudgetLine(KvCacheLayout layout, int maxModelLen) {
        long tokens = layout.tokens();
        return String.format(Locale.ROOT, "KV cache (%s) holds %,d tokens: %,d full-length sequences of %,d tokens "
                        + "(%.1f); change it with --kv-cache-memory, --kv-cache-fraction, --max-model-len or --kv-cache-type",
                model.kvTypeOr(KvType.F16).name().toLowerCase(Locale.ROOT), tokens, tokens / maxModelLen, maxModelLen,
                (double) tokens / maxModelLen);
    }

    /** Before the port opens: a ready server answers at full speed (vLLM warms up likewise). */
    private static void warmUp(LoadedModel loaded, EngineConfig engineConfig) {
        EngineWarmup.Report w = EngineWarmup.run(new LlamaRunner(loaded.model()), engineConfig);
        StringBuilder rounds = new StringBuilder();
        for (Duration d : w.rounds()) {
            rounds.append(rounds.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9));
        }
        info(String.format(Locale.ROOT, "warmed up: %d tokens generated, rounds %s (--no-warmup skips this)",
                w.generatedTokens(), rounds));
    }

    /** Checked before the model loads, so that the message names the flag, not the engine's field. */
    private void checkFlags() {
        schedulingPolicy();
        if (pooling != null) {
            EmbeddingFlags.parse(pooling);
        }
        positive("--client-stall-timeout", clientStallTimeout);
        positive("--max-num-seqs", maxNumSeqs);
        positive("--max-batched-tokens", maxBatchedTokens);
        positive("--max-waiting-requests", maxWaitingRequests);
        positive("--max-waiting-tokens", maxWaitingTokens);
        if (blockSize < 1 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("--block-size must be a power of two, got " + blockSize);
        }
        if (maxModelLen < 0) {
            throw new IllegalArgumentException("--max-model-len must be >= 1 (or 0 for the model's context), got " + maxModelLen);
        }
        if (kvCacheMemory == null && !(kvCacheFraction > 0 && kvCacheFraction <= 1)) {
            throw new IllegalArgumentException("--kv-cache-fraction must be in (0, 1], got " + kvCacheFraction);
        }
    }

    private SchedulingPolicy schedulingPolicy() {
        return switch (scheduling.toLowerCase(Locale.ROOT)) {
            case "fcfs" -> SchedulingPolicy.FCFS;
            case "priority" -> SchedulingPolicy.PRIORITY;
            default -> throw new IllegalArgumentException("--scheduling must be fcfs or priority, got '" + scheduling + "'");
        };
    }

    private EngineConfig engineConfig(LoadedModel loaded) {
        SchedulingPolicy policy = schedulingPolicy();
        EngineConfig.Builder b = EngineConfig.builder().maxNumSeqs(maxNumSeqs).maxBatchedTokens(maxBatchedTokens)
                .maxModelLen(maxModelLen).blockSize(blockSize).kvCacheType(model.kvTypeOr(KvType.F16))
                .maxWaitingRequests(maxWaitingRequests).maxWaitingTokens(maxWaitingTokens)
                .schedulingPolicy(policy).prefixCaching(!noPrefixCaching)
                .detokenizer(Detokenizer.of(loaded.tokenizer()))
                .eosTokenIds(endOfGeneration(loaded.tokenizer().vocabulary()));
        if (kvCacheMemory != null) {
            b.kvCacheBytes(kvCacheMemory);
        } else {
            b.kvCacheFraction(kvCacheFraction); // the engine caps it at max-num-seqs full-length sequences
        }
        return b.build();
    }

    private static void positive(String flag, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(flag + " must be >= 1, got " + value);
        }
    }

    /** Every token that ends a turn (EOS, EOT and the like), as llama.cpp stops on. */
    private static Set<Integer> endOfGeneration(Vocabulary v) {
        Set<Integer> ids = new HashSet<>();
        for (int id = 0; id < v.size(); id++) {
            if (v.isEndOfGeneration(id)) {
                ids.add(id);
            }
        }
        if (v.eosId() >= 0) {
            ids.add(v.eosId());
        }
        return ids;
    }
}
