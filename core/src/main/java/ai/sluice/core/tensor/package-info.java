/**
 * Weight tensors over the memory-mapped GGUF data and the kernels that compute with them.
 *
 * <p>{@link ai.sluice.core.tensor.WeightMatrix} decodes rows of F32, F16, BF16, Q8_0, Q4_0, Q4_K
 * and Q6_K tensors in place (no heap copy of weights), through the block formats of
 * {@code ai.sluice.core.format}. {@link ai.sluice.core.tensor.Backend} is the
 * seam the model computes through: it owns the activations ({@link ai.sluice.core.tensor.Buffer}),
 * the prepared weights and the KV store, and does every op of the forward pass on them (matrix-matrix
 * products that read each weight row once per batch, norms, RoPE, SwiGLU, paged attention);
 * {@link ai.sluice.core.tensor.CpuBackend} implements it with the JDK
 * Vector API over a persistent {@link ai.sluice.core.tensor.KernelPool}: Q8_0 and Q4_0 weights
 * multiply activations quantized to 8 bits (as llama.cpp does), the other types float tiles.
 */
package ai.sluice.core.tensor;
