package ai.sluice.core.quant.eval;

/**
 * A model seen from the evaluation: one window of token ids in, the logits at every position out.
 * {@code logits(tokens)[i]} is the model's next-token distribution (unnormalised, over the whole
 * vocabulary) after reading {@code tokens[0..i]}, evaluated from an empty context.
 */
@FunctionalInterface
public interface LogitsSource {
    float[][] logits(int[] tokens);
}
