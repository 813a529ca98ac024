package ai.sluice.core.quant.eval;

/**
 * Runs a reference and a quantized model over the same text and compares their predictions.
 *
 * <p>The text is cut into consecutive windows of {@code ctx} tokens (a tail shorter than a window
 * is dropped) and each window is evaluated from an empty context, the way llama.cpp's
 * {@code llama-perplexity --kl-divergence} does it, so the figures are comparable with its: the
 * first token of each window is replaced by BOS when the model has one, and only the second half of
 * each window is scored (positions {@code ctx/2 .. ctx-2}, each predicting the next token), so
 * every scored prediction has seen at least {@code ctx/2} tokens of context.
 */
public final class QuantEval {

    /**
     * @param ctx tokens per window (at least 4)
     * @param bosToken the token that opens each window, or -1 to leave the text's token there
     */
    public record Options(int ctx, int bosToken) {
        public Options {
            if (ctx < 4) {
                throw new IllegalArgumentException("QuantEval.Options.ctx must be at least 4, got " + ctx);
            }
        }
    }

    /** Told after each window. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void windowDone(int done, int total);
    }

    private QuantEval() {
    }

    /** Number of windows {@code tokens} yields. */
    public static int windows(int tokens, int ctx) {
        return tokens / ctx;
    }

    public static EvalResult run(LogitsSource reference, LogitsSource quantized, int[] tokens,
                                 Options options, Progress progress) {
        int ctx = options.ctx();
        int windows = windows(tokens.length, ctx);
        if (windows == 0) {
            throw new IllegalArgumentException("the text has " + tokens.length + " tokens, fewer than one window of "
                    + ctx + "; use a longer text or a smaller QuantEval.Options.ctx");
        }
        KlStatistics stats = new KlStatistics();
        int first = ctx / 2;
        int[] window = new int[ctx];
        for (int w = 0; w < windows; w++) {
            System.arraycopy(tokens, w * ctx, window, 0, ctx);
            if (options.bosToken() >= 0) {
                window[0] = options.bosToken();
            }
            float[][] ref = checked(reference.logits(window.clone()), ctx, "reference");
            float[][] quant = checked(quantized.logits(window.clone()), ctx, "quantized");
            for (int i = first; i < ctx - 1; i++) {
                stats.add(ref[i], quant[i], window[i + 1]);
            }
            progress.windowDone(w + 1, windows);
        }
        return stats.result();
    }

    private static float[][] checked(float[][] logits, int ctx, String which) {
        if (logits == null || logits.length != ctx) {
            throw new IllegalStateException("the " + which + " model returned "
                    + (logits == null ? "nothing" : logits.length + " positions") + " for a window of " + ctx);
        }
        return logits;
    }
}
