package ai.sluice.core.quant.eval;

/**
 * How a quantized model compares with its reference over the scored positions of a text.
 *
 * @param positions scored positions (next-token predictions)
 * @param perplexityReference exp(mean negative log-likelihood of the true next token), reference model
 * @param perplexityQuantized the same for the quantized model
 * @param meanKl mean of KL(P_ref || P_q) per position, in nats
 * @param p99Kl 99th percentile of the per-position KL divergence
 * @param maxKl the largest per-position KL divergence
 * @param top1Agreement fraction (0..1) of positions where both models' most likely token is the same
 */
public record EvalResult(int positions, double perplexityReference, double perplexityQuantized,
                         double meanKl, double p99Kl, double maxKl, double top1Agreement) {

    /** Relative perplexity change of the quantized model, e.g. 0.02 for +2%. */
    public double perplexityChange() {
        return perplexityQuantized / perplexityReference - 1;
    }
}
