package ai.sluice.server.serving;

import ai.sluice.core.sampling.SamplingParams;
import ai.sluice.engine.Engine;
import ai.sluice.engine.EngineClosedException;
import ai.sluice.engine.EngineMetrics;
import ai.sluice.engine.EngineOverloadedException;
import ai.sluice.engine.GenerationListener;
import ai.sluice.engine.GenerationRequest;
import ai.sluice.engine.Histogram;
import ai.sluice.engine.InvalidRequestException;
import ai.sluice.engine.KvCacheLayout;
import ai.sluice.engine.RequestHandle;
import ai.sluice.engine.Usage;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** {@link ServedModel} over the continuous-batching {@link Engine}. */
public final class EngineServedModel implements ServedModel {
    private final Engine engine;
    private final TokenizerCodec codec;
    private final AtomicLong ids = new AtomicLong();
    private final Embedder embedder;

    /** Serves {@code engine} (owned from now on: closed with this served model), embedding with mean pooling. */
    public EngineServedModel(Engine engine, TokenizerCodec codec) {
        this(engine, codec, EmbeddingSettings.DEFAULT);
    }

    /** Serves {@code engine}, embedding as {@code embeddings} says. */
    public EngineServedModel(Engine engine, TokenizerCodec codec, EmbeddingSettings embeddings) {
        this.engine = engine;
        this.codec = codec;
        this.embedder = engine.embeddingLength() > 0
                ? new EngineEmbedder(engine.embeddingLength(), engine.maxModelLen(), embeddings, engine::embed) : null;
    }

    @Override
    public boolean schedulesByPriority() {
        return engine.config().schedulingPolicy() == ai.sluice.engine.SchedulingPolicy.PRIORITY;
    }

    @Override
    public Embedder embedder() {
        return embedder;
    }

    public Engine engine() {
        return engine;
    }

    @Override
    public int contextLength() {
        return engine.maxModelLen();
    }

    @Override
    public TokenizerCodec codec() {
        return codec;
    }

    @Override
    public RequestHandle submit(GenerationSpec spec, GenerationListener listener) {
        long seed = spec.seed() != null ? spec.seed() : ThreadLocalRandom.current().nextLong();
        SamplingParams sampling = new SamplingParams(spec.temperature(), Math.max(0, spec.topK()), spec.topP(),
                spec.minP(), spec.repetitionPenalty(), spec.presencePenalty(), spec.frequencyPenalty(), seed);
        Set<Integer> stopIds = new HashSet<>();
        for (int id : spec.stopTokenIds()) {
            stopIds.add(id);
        }
        GenerationRequest.Builder b = GenerationRequest.builder("req-" + ids.incrementAndGet(), spec.promptTokens())
                .sampling(sampling).maxTokens(spec.maxTokens()).stopStrings(spec.stopStrings()).stopTokenIds(stopIds)
                .ignoreEos(spec.ignoreEos()).logitBias(spec.logitBias()).resumeAfter(spec.resumedTokens())
                .constraint(spec.constraint()).minTokens(spec.minTokens())
                .priority(spec.priority());
        if (spec.topLogprobs() >= 0) {
            b.logprobs(spec.topLogprobs());
        }
        try {
            return engine.submit(b.build(), listener);
        } catch (EngineOverloadedException | InvalidRequestException | EngineClosedException e) {
            throw refusal(e);
        }
    }

    /** The engine's refusal of a submission as the serving layer's. */
    static RuntimeException refusal(RuntimeException e) {
        return switch (e) {
            case EngineOverloadedException o -> new OverloadedException(o.getMessage(), o.retryAfterSeconds());
            case InvalidRequestException i -> new RejectedException(RejectedException.Kind.INVALID_REQUEST, i.getMessage(), i.parameter());
            case EngineClosedException c -> new RejectedException(RejectedException.Kind.UNAVAILABLE, c.getMessage());
            default -> e;
        };
    }

    @Override
    public ServingStats stats() {
        return stats(engine.metrics());
    }

    /** The engine's counters as the serving layer's snapshot (also an encoder engine's). */
    static ServingStats stats(EngineMetrics m) {
        return new ServingStats(m.waitingRequests(), m.runningRequests(), m.kvCacheUsage(), m.preemptions(),
                m.prefixCacheQueries(), m.prefixCacheHits(), m.promptTokens(), m.generationTokens(),
                m.finishedByReason(), histogram(m.timeToFirstToken()), histogram(m.interTokenLatency()),
                histogram(m.e2eRequestLatency()), histogram(m.requestQueueTime()), histogram(m.iterationTokens()),
                histogram(m.requestPromptTokens()), histogram(m.requestGenerationTokens()),
                histogram(m.requestPrefillTime()), histogram(m.requestDecodeTime()), m.resumedRequests(),
                m.resumedTokens());
    }

    @Override
    public Map<String, String> cacheConfig() {
        KvCacheLayout kv = engine.kvCacheLayout();
        // vLLM's label names, so its dashboards read them; the pool lives in host memory here
        return Map.of("block_size", Integer.toString(kv.blockSize()),
                "cache_dtype", kv.type().name().toLowerCase(java.util.Locale.ROOT),
                "num_gpu_blocks", Integer.toString(kv.blocks()),
                "num_cpu_blocks", "0",
                "enable_prefix_caching", Boolean.toString(engine.config().prefixCaching()));
    }

    private static ServingStats.HistogramData histogram(Histogram.Snapshot s) {
        return new ServingStats.HistogramData(s.upperBounds(), s.counts(), s.sum(), s.count());
    }

    @Override
    public long heartbeatNanos() {
        // A dead loop never beats again, so its heartbeat goes stale and /health fails.
        return engine.isAlive() ? engine.lastHeartbeatNanos() : Long.MIN_VALUE / 2;
    }

    @Override
    public Frozen freeze() {
        return engine.freezeLoopForTesting()::close;
    }

    @Override
    public void close() {
        engine.close();
    }
}
