/**
 * The Llama-family forward pass (llama, mistral, qwen2, qwen3).
 *
 * <p>{@link ai.sluice.core.model.LlamaModel#load} binds a GGUF file's weights;
 * {@link ai.sluice.core.model.ForwardPass} runs batches of
 * {@link ai.sluice.core.model.BatchEntry entries} (tokens of several sequences, prefill chunks and
 * decode steps mixed) over a KV store of slots from the model's backend (the CPU's:
 * {@link ai.sluice.core.tensor.KvCacheMemory}), each sequence placing its
 * positions through its own {@link ai.sluice.core.tensor.SlotMapping} (contiguous or paged).
 * {@link ai.sluice.core.model.Generator} is the single-sequence convenience on top;
 * {@link ai.sluice.core.model.BackendContract} checks a backend's results against the CPU's.
 */
package ai.sluice.core.model;
