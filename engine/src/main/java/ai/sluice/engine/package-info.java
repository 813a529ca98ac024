/**
 * The Sluice engine: continuous batching over a paged KV cache that cannot run out of memory.
 *
 * <h2>Using it (the server's view)</h2>
 * <pre>{@code
 * EngineConfig config = EngineConfig.builder()
 *         .maxNumSeqs(32).maxBatchedTokens(512)
 *         .kvCacheBytes(2L << 30)                       // or .kvCacheFraction(0.9)
 *         .detokenizer(Detokenizer.of(tokenizer))
 *         .eosTokenIds(endOfGenerationIds)
 *         .build();
 * try (Engine engine = Engine.start(new LlamaRunner(model), config)) {
 *     RequestHandle h = engine.submit(GenerationRequest.builder(id, promptIds)
 *             .sampling(params).maxTokens(256).stopStrings(stops).build(), listener);
 *     ...                                               // h.cancel() when the client goes away
 * }
 * }</pre>
 * {@link ai.sluice.engine.Engine#submit} throws {@link ai.sluice.engine.EngineOverloadedException}
 * (429, {@code retryAfterSeconds()}), {@link ai.sluice.engine.InvalidRequestException} (400, names
 * the parameter) or {@link ai.sluice.engine.EngineClosedException} (503). Listener callbacks run on
 * the engine thread and must not block. Health: {@link ai.sluice.engine.Engine#isAlive()} and the
 * age of {@link ai.sluice.engine.Engine#lastHeartbeatNanos()}. Metrics:
 * {@link ai.sluice.engine.EngineMetrics}, one getter per vLLM metric.
 *
 * <h2>Inside</h2>
 * <ul>
 *   <li>{@code EngineLoop}: the engine thread (submissions, cancellations, one forward pass per
 *       step, sampling, outputs, failure isolation).</li>
 *   <li>{@code Scheduler}: decodes first, then prefill chunks, then admissions, within
 *       maxNumSeqs and maxBatchedTokens; preemption by recompute of the newest (FCFS) or least
 *       urgent (priority) running sequence.</li>
 *   <li>The KV cache: sized by {@code KvCacheSizing} (budget to {@link ai.sluice.engine.KvCacheLayout}),
 *       allocated once by {@link ai.sluice.engine.ModelRunner#allocateKvCache} (a KV store of the
 *       model's backend, on the CPU core's {@code KvCacheMemory}: K and V per layer and slot, written
 *       and read by the backend's ops in the forward pass; its budget also from the backend),
 *       paged by {@code KvCacheBlocks}: fixed blocks, reference counts, the prefix cache (full blocks
 *       keyed by a hash chain of their tokens, verified on lookup) and one LRU queue of free blocks.</li>
 *   <li>{@link ai.sluice.engine.ModelRunner}: the seam to the model; {@link
 *       ai.sluice.engine.LlamaRunner} is core's batched forward pass over a KV pool of slots, the
 *       slot of position p being {@code blockTable[p / 16] * 16 + p % 16}.</li>
 * </ul>
 */
package ai.sluice.engine;
