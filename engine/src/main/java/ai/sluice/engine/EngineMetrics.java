package ai.sluice.engine;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live engine counters, gauges and histograms as plain Java values; the server adapts them to
 * Prometheus with vLLM's names. Every getter is thread-safe and cheap; read them at scrape time.
 * Counters only grow. Names map to vLLM as noted on each getter.
 */
public final class EngineMetrics {
    private volatile int waiting;
    private volatile int running;
    private volatile double kvCacheUsage;
    private final AtomicLong preemptions = new AtomicLong();
    private final AtomicLong prefixCacheQueries = new AtomicLong();
    private final AtomicLong prefixCacheHits = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong generationTokens = new AtomicLong();
    private final AtomicLong finishedStop = new AtomicLong();
    private final AtomicLong finishedLength = new AtomicLong();
    private final AtomicLong finishedAbort = new AtomicLong();
    private final AtomicLong finishedError = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong resumedRequests = new AtomicLong();
    private final AtomicLong resumedTokens = new AtomicLong();
    private final Histogram timeToFirstToken = new Histogram(Histogram.TTFT_SECONDS);
    private final Histogram interTokenLatency = new Histogram(Histogram.INTER_TOKEN_SECONDS);
    private final Histogram e2eRequestLatency = new Histogram(Histogram.REQUEST_SECONDS);
    private final Histogram requestQueueTime = new Histogram(Histogram.REQUEST_SECONDS);
    private final Histogram stepTime = new Histogram(Histogram.STEP_SECONDS);
    private final Histogram batchSize = new Histogram(Histogram.BATCH_SIZE);
    private final Histogram iterationTokens = new Histogram(Histogram.ITERATION_TOKENS);
    private final Histogram requestPromptTokens = new Histogram(Histogram.REQUEST_TOKENS);
    private final Histogram requestGenerationTokens = new Histogram(Histogram.REQUEST_TOKENS);
    private final Histogram requestPrefillTime = new Histogram(Histogram.REQUEST_SECONDS);
    private final Histogram requestDecodeTime = new Histogram(Histogram.REQUEST_SECONDS);
    private final DrainRate drainRate;

    EngineMetrics(DrainRate drainRate) {
        this.drainRate = drainRate;
    }

    /** {@code vllm:num_requests_waiting}: requests queued, including preempted ones. */
    public int waitingRequests() {
        return waiting;
    }

    /** {@code vllm:num_requests_running}: requests holding KV blocks and stepping. */
    public int runningRequests() {
        return running;
    }

    /** {@code vllm:kv_cache_usage_perc}: fraction (0..1) of KV blocks in use by running requests. */
    public double kvCacheUsage() {
        return kvCacheUsage;
    }

    /** {@code vllm:num_preemptions}: running requests evicted to free KV blocks (recomputed later). */
    public long preemptions() {
        return preemptions.get();
    }

    /** {@code vllm:prefix_cache_queries}: prompt tokens looked up in the prefix cache. */
    public long prefixCacheQueries() {
        return prefixCacheQueries.get();
    }

    /** {@code vllm:prefix_cache_hits}: of those, tokens whose KV was found. */
    public long prefixCacheHits() {
        return prefixCacheHits.get();
    }

    /** {@code vllm:prompt_tokens}: prompt tokens of admitted requests (counted once, not per recompute). */
    public long promptTokens() {
        return promptTokens.get();
    }

    /** {@code vllm:generation_tokens}: generated tokens. */
    public long generationTokens() {
        return generationTokens.get();
    }

    /** {@code vllm:request_success} by {@code finished_reason}: keys stop, length, abort, error. */
    public Map<String, Long> finishedByReason() {
        return Map.of("stop", finishedStop.get(), "length", finishedLength.get(), "abort", finishedAbort.get(),
                "error", finishedError.get());
    }

    /** Submissions refused because the waiting queue was full. */
    public long rejectedRequests() {
        return rejected.get();
    }

    /** Requests that continued an earlier run from its tokens (stream resume). */
    public long resumedRequests() {
        return resumedRequests.get();
    }

    /** Tokens those requests continued after: generated elsewhere, not sampled again here. */
    public long resumedTokens() {
        return resumedTokens.get();
    }

    /** Requests finished per second over the recent window (the basis of Retry-After). */
    public double drainRatePerSecond() {
        return drainRate.perSecond(System.nanoTime());
    }

    /** {@code vllm:time_to_first_token_seconds}: arrival to first generated token. */
    public Histogram.Snapshot timeToFirstToken() {
        return timeToFirstToken.snapshot();
    }

    /** {@code vllm:inter_token_latency_seconds}: between consecutive tokens of one request. */
    public Histogram.Snapshot interTokenLatency() {
        return interTokenLatency.snapshot();
    }

    /** {@code vllm:e2e_request_latency_seconds}: arrival to finish. */
    public Histogram.Snapshot e2eRequestLatency() {
        return e2eRequestLatency.snapshot();
    }

    /** {@code vllm:request_queue_time_seconds}: arrival to first admission. */
    public Histogram.Snapshot requestQueueTime() {
        return requestQueueTime.snapshot();
    }

    /** Duration of one engine step (forward pass plus bookkeeping), seconds. */
    public Histogram.Snapshot stepTime() {
        return stepTime.snapshot();
    }

    /** Sequences in one engine step. */
    public Histogram.Snapshot batchSize() {
        return batchSize.snapshot();
    }

    /** Tokens computed in one engine step (prompt chunks and decoded tokens together). */
    public Histogram.Snapshot iterationTokens() {
        return iterationTokens.snapshot();
    }

    /** Prompt length of each finished sequence, tokens. */
    public Histogram.Snapshot requestPromptTokens() {
        return requestPromptTokens.snapshot();
    }

    /** Tokens generated by each finished sequence. */
    public Histogram.Snapshot requestGenerationTokens() {
        return requestGenerationTokens.snapshot();
    }

    /** From first scheduled to first token, per sequence that produced one, seconds. */
    public Histogram.Snapshot requestPrefillTime() {
        return requestPrefillTime.snapshot();
    }

    /** From first token to finish, per sequence that produced one, seconds. */
    public Histogram.Snapshot requestDecodeTime() {
        return requestDecodeTime.snapshot();
    }

    // ---- updates, engine thread only ----

    void gauges(int waitingNow, int runningNow, double kvUsageNow) {
        this.waiting = waitingNow;
        this.running = runningNow;
        this.kvCacheUsage = kvUsageNow;
    }

    void preempted() {
        preemptions.incrementAndGet();
    }

    void prefixCacheLookup(int queriedTokens, int hitTokens) {
        prefixCacheQueries.addAndGet(queriedTokens);
        prefixCacheHits.addAndGet(hitTokens);
    }

    void promptTokens(int n) {
        promptTokens.addAndGet(n);
    }

    void generationTokens(int n) {
        generationTokens.addAndGet(n);
    }

    void rejected() {
        rejected.incrementAndGet();
    }

    void finished(FinishReason reason, long nowNanos) {
        switch (reason) {
            case FinishReason.Stop s -> finishedStop.incrementAndGet();
            case FinishReason.Length l -> finishedLength.incrementAndGet();
            case FinishReason.Cancelled c -> finishedAbort.incrementAndGet();
            case FinishReason.Error e -> finishedError.incrementAndGet();
        }
        drainRate.record(nowNanos);
    }

    Histogram ttftHistogram() {
        return timeToFirstToken;
    }

    Histogram interTokenHistogram() {
        return interTokenLatency;
    }

    Histogram e2eHistogram() {
        return e2eRequestLatency;
    }

    Histogram queueTimeHistogram() {
        return requestQueueTime;
    }

    Histogram stepTimeHistogram() {
        return stepTime;
    }

    Histogram batchSizeHistogram() {
        return batchSize;
    }

    Histogram iterationTokensHistogram() {
        return iterationTokens;
    }

    /** One finished sequence's lengths and phases; times are {@link System#nanoTime()}, 0 where not reached. */
    void resumed(int tokens) {
        resumedRequests.incrementAndGet();
        resumedTokens.addAndGet(tokens);
    }

    void sequenceFinished(int promptLength, int generated, long scheduledNanos, long firstTokenNanos, long nowNanos) {
        requestPromptTokens.observe(promptLength);
        requestGenerationTokens.observe(generated);
        if (generated > 0 && firstTokenNanos != 0) {
            if (scheduledNanos != 0) {
                requestPrefillTime.observe((firstTokenNanos - scheduledNanos) / 1e9);
            }
            requestDecodeTime.observe((nowNanos - firstTokenNanos) / 1e9);
        }
    }
}
