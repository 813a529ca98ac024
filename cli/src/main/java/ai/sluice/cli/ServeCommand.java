package ai.sluice.cli;

import ai.sluice.engine.Detokenizer;
import ai.sluice.engine.Engine;
import ai.sluice.engine.KvCacheLayout;
import ai.sluice.engine.EngineConfig;
import ai.sluice.engine.EngineWarmup;
import ai.sluice.core.model.KvType;
import ai.sluice.engine.LlamaRunner;
import ai.sluice.engine.SchedulingPolicy;
import ai.sluice.plan.CpuPlan;
import ai.sluice.server.ServerConfig;
import ai.sluice.server.SluiceServer;
import ai.sluice.server.backend.EngineBackend;
import ai.sluice.server.backend.TokenizerCodec;
import ai.sluice.server.http.AccessLog;
import ai.sluice.core.tokenizer.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
            description = "Bind address (default: ${DEFAULT-VALUE}; use 0.0.0.0 to expose it).")
    String host;

    @Option(names = "--port", defaultValue = "8000", paramLabel = "N", description = "Port (default: ${DEFAULT-VALUE}; 0 = any free).")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Accepted bearer key; repeat for several (default: $SLUICE_API_KEY, else no authentication).")
    List<String> apiKeys = new ArrayList<>();

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

    @Override
    public Integer call() throws Exception {
        if (apiKeys.isEmpty() && System.getenv("SLUICE_API_KEY") != null && !System.getenv("SLUICE_API_KEY").isBlank()) {
            apiKeys.add(System.getenv("SLUICE_API_KEY"));
        }
        String name = servedModelName != null ? servedModelName
                : model.name();
        LoadedModel loaded = model.load();
        EngineBackend backend;
        SluiceServer server;
        try {
            LlamaRunner runner = new LlamaRunner(loaded.model());
            EngineConfig engineConfig = engineConfig(loaded, runner);
            if (!noWarmup) {
                warmUp(loaded, engineConfig);
            }
            Engine engine = Engine.start(runner, engineConfig);
            backend = new EngineBackend(engine, new TokenizerCodec(loaded.tokenizer(),
                    loaded.file().metadata().findString("tokenizer.chat_template").orElse(null)));
            ServerConfig config = new ServerConfig(host, port, name, apiKeys, maxBodyBytes,
                    maxPromptTokens > 0 ? maxPromptTokens : engine.maxModelLen() - 1,
                    Duration.ofSeconds(requestTimeout), Duration.ofMillis(pingIntervalMs),
                    Duration.ofSeconds(healthStaleAfter), 1024);
            server = SluiceServer.start(config, backend, AccessLog.stdout());
            // The plan this process runs under, beside what the engine really allocated: the two must agree.
            CpuPlan plan = CpuPlan.of(loaded.model().config().shape(), ai.sluice.plan.KvType.parse(model.kvType.name()));
            KvCacheLayout layout = engine.kvCacheLayout();
            System.err.println("sluice: " + plan.describe(layout.tokens()));
            System.err.printf(Locale.ROOT, "sluice: allocated KV pool %,d B (%,d blocks of %d tokens)%n",
                    layout.bytes(), layout.blocks(), layout.blockSize());
            System.err.printf(Locale.ROOT, "sluice: serving %s as '%s' on http://%s:%d (%s, context %d, KV %d blocks of %d)%n",
                    model.file().getFileName(), name, host, server.port(),
                    apiKeys.isEmpty() ? "no API key" : apiKeys.size() + " API key(s)", engine.maxModelLen(),
                    engine.kvCacheLayout().blocks(), engine.kvCacheLayout().blockSize());
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        // SIGTERM and Ctrl-C run shutdown hooks: drain there, then halt with 0. Without the halt the JVM
        // would report the signal (exit 143), yet a drained shutdown is a clean, successful exit.
        EngineBackend serving = backend;
        SluiceServer running = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("sluice: draining (up to " + drainTimeout + " s)");
            boolean idle;
            try {
                idle = running.drain(Duration.ofSeconds(drainTimeout));
            } catch (InterruptedException e) {
                idle = false;
            }
            running.stop();
            serving.close();
            loaded.close();
            System.err.println(idle ? "sluice: drained, exiting" : "sluice: drain timeout, exiting with requests still open");
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }, "sluice-drain"));
        new CountDownLatch(1).await(); // serve until a signal ends the process
        return 0;
    }

    /** Before the port opens: a ready server answers at full speed (vLLM warms up likewise). */
    private static void warmUp(LoadedModel loaded, EngineConfig engineConfig) {
        EngineWarmup.Report w = EngineWarmup.run(new LlamaRunner(loaded.model()), engineConfig);
        StringBuilder rounds = new StringBuilder();
        for (Duration d : w.rounds()) {
            rounds.append(rounds.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9));
        }
        System.err.printf(Locale.ROOT, "sluice: warmed up: %d tokens generated, rounds %s (--no-warmup skips this)%n",
                w.generatedTokens(), rounds);
    }

    private EngineConfig engineConfig(LoadedModel loaded, LlamaRunner runner) {
        SchedulingPolicy policy = switch (scheduling.toLowerCase(Locale.ROOT)) {
            case "fcfs" -> SchedulingPolicy.FCFS;
            case "priority" -> SchedulingPolicy.PRIORITY;
            default -> throw new IllegalArgumentException("--scheduling must be fcfs or priority, got '" + scheduling + "'");
        };
        // checked here so that the message names the flag, not the engine's field
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
        EngineConfig.Builder b = EngineConfig.builder().maxNumSeqs(maxNumSeqs).maxBatchedTokens(maxBatchedTokens)
                .maxModelLen(maxModelLen).blockSize(blockSize).kvCacheType(model.kvType)
                .maxWaitingRequests(maxWaitingRequests).maxWaitingTokens(maxWaitingTokens)
                .schedulingPolicy(policy).prefixCaching(!noPrefixCaching)
                .detokenizer(Detokenizer.of(loaded.tokenizer()))
                .eosTokenIds(endOfGeneration(loaded.tokenizer().vocabulary()));
        if (kvCacheMemory != null) {
            b.kvCacheBytes(kvCacheMemory);
        } else {
            if (!(kvCacheFraction > 0 && kvCacheFraction <= 1)) {
                throw new IllegalArgumentException("--kv-cache-fraction must be in (0, 1], got " + kvCacheFraction);
            }
            // A pool larger than max-num-seqs full-length sequences can never be used: do not take the memory.
            int len = maxModelLen > 0 ? maxModelLen : runner.contextLength();
            long useful = (long) maxNumSeqs * (len + blockSize) * runner.kvBytesPerToken(model.kvType);
            b.kvCacheBytes(Math.max(1, Math.min((long) (runner.availableMemoryBytes() * kvCacheFraction), useful)));
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
