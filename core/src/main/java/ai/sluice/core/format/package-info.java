/**
 * GGML block formats: how one row of each storage type is laid out in bytes, written down once.
 *
 * <p>One class per type: {@link ai.sluice.core.format.F32Codec}, {@link ai.sluice.core.format.F16Codec},
 * {@link ai.sluice.core.format.Bf16Codec}, {@link ai.sluice.core.format.Q8_0Codec} and
 * {@link ai.sluice.core.format.Q4_0Codec} encode and decode ({@link ai.sluice.core.format.RowCodec});
 * {@link ai.sluice.core.format.Q4_KDecoder} and {@link ai.sluice.core.format.Q6_KDecoder} only
 * decode ({@link ai.sluice.core.format.RowDecoder}). The kernels ({@code core.tensor}) decode from
 * memory segments, the quantizer ({@code core.quant}) encodes and decodes {@code byte[]} rows; both
 * come here. The fused int8 kernels read Q8_0/Q4_0 blocks in place with their own inner loops
 * (see {@code Int8Kernel}), against the layouts documented on these classes.
 */
package ai.sluice.core.format;
