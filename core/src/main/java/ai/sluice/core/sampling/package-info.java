/**
 * Choosing the next token: {@link ai.sluice.core.sampling.SamplingParams} (validated) and a
 * seeded, allocation-free {@link ai.sluice.core.sampling.Sampler}.
 */
package ai.sluice.core.sampling;
