package ai.sluice.core.model;

import ai.sluice.core.tensor.WeightMatrix;

/**
 * The weights of one transformer block. Matrices stay in the mapped file; norm weights and biases
 * (a few KiB) are decoded to float arrays once at load. Optional parts are null when the
 * architecture has none.
 */
record LayerWeights(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                    float[] qBias, float[] kBias, float[] vBias, float[] qNorm, float[] kNorm,
                    float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down) {
}
