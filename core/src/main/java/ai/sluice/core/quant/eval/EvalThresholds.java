package ai.sluice.core.quant.eval;

import java.util.Locale;

/**
 * The go/no-go bar for a quantized model.
 *
 * <p>The defaults ask for "close to lossless": a mean KL divergence of at most 0.01 nats per token
 * and the same top token at 95% or more of positions. For scale, llama.cpp's published KL figures
 * for 7-8B Llama models put Q8_0 near 0.001 mean KL with ~98-99% top-1 agreement (near lossless),
 * Q6_K and Q5_K around 0.004-0.01, and Q4_0/Q4_K around 0.03-0.1 with roughly 88-94% agreement. So by
 * default 8-bit passes, 4-bit needs a look: loosen the bar (e.g. {@code --max-kl 0.05 --min-top1 90})
 * where an occasional different word is acceptable (chat, support), and keep or tighten it where
 * it is not (legal, medical, code).
 *
 * @param maxMeanKl the largest acceptable mean KL(P_ref || P_q), in nats
 * @param minTop1Agreement the smallest acceptable top-1 agreement, as a fraction 0..1
 */
public record EvalThresholds(double maxMeanKl, double minTop1Agreement) {
    public static final double DEFAULT_MAX_MEAN_KL = 0.01;
    public static final double DEFAULT_MIN_TOP1 = 0.95;
    public static final EvalThresholds DEFAULT = new EvalThresholds(DEFAULT_MAX_MEAN_KL, DEFAULT_MIN_TOP1);

    public EvalThresholds {
        if (!(maxMeanKl >= 0)) {
            throw new IllegalArgumentException("the KL threshold must be >= 0, got " + maxMeanKl);
        }
        if (!(minTop1Agreement >= 0 && minTop1Agreement <= 1)) {
            throw new IllegalArgumentException("the top-1 threshold must be between 0 and 100%, got "
                    + minTop1Agreement * 100 + "%");
        }
    }

    /** Go when both the mean KL and the top-1 agreement are within the bar; the reason names both. */
    public Verdict judge(EvalResult r) {
        boolean klOk = r.meanKl() <= maxMeanKl;
        boolean top1Ok = r.top1Agreement() >= minTop1Agreement;
        String reason = String.format(Locale.ROOT, "mean KL %.3g %s %.3g, top-1 agreement %.2f%% %s %.2f%%",
                r.meanKl(), klOk ? "<=" : ">", maxMeanKl,
                r.top1Agreement() * 100, top1Ok ? ">=" : "<", minTop1Agreement * 100);
        return new Verdict(klOk && top1Ok, reason);
    }

    /** The outcome and why. */
    public record Verdict(boolean go, String reason) {
        public String label() {
            return go ? "GO" : "NO-GO";
        }
    }
}
