package ai.sluice.core.model;

import ai.sluice.core.tensor.Buffer;
import ai.sluice.core.tensor.PreparedWeight;

/**
 * The weights of one transformer block as the model's backend holds them: matrices prepared once at
 * load (on the CPU, the mapped file itself), norm weights and biases (a few KiB) decoded to floats
 * and uploaded once. Optional parts are null when the architecture has none.
 */
record LayerWeights(Buffer attnNorm, PreparedWeight wq, PreparedWeight wk, PreparedWeight wv, PreparedWeight wo,
                    Buffer qBias, Buffer kBias, Buffer vBias, Buffer qNorm, Buffer kNorm,
                    Buffer ffnNorm, PreparedWeight gate, PreparedWeight up, PreparedWeight down) {
}
