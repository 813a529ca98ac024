package ai.sluice.cli;

import ai.sluice.core.quant.eval.EvalResult;
import ai.sluice.core.quant.eval.EvalThresholds;
import ai.sluice.core.quant.eval.QuantEval;
import ai.sluice.core.tensor.KernelChoice;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice eval --model Q.gguf --reference REF.gguf --text FILE}: what quantization cost, on your
 * own text. Exit status 0 for GO, 3 for NO-GO (1 for errors), so a pipeline can gate on it.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {
                "Compare a quantized model with its reference on a text: perplexity of each, KL divergence per token,",
                "top-1 agreement, and a GO / NO-GO verdict. Exit status: 0 GO, 3 NO-GO, 1 error."
        })
final class EvalCommand implements Callable<Integer> {
    static final int EXIT_NO_GO = 3;

    @Spec
    CommandSpec spec;

    /** The quantized model (any SOURCE: a path, s3://, hf://, ...). */
    @Mixin
    ModelSourceOptions quantized;

    private Path model;

    @Option(names = "--reference", required = true, paramLabel = "REF.gguf",
            description = "The model it was made from (F32, F16, BF16 or Q8_0).")
    Path reference;

    @Option(names = "--text", required = true, paramLabel = "FILE", description = "UTF-8 text to evaluate on.")
    Path text;

    @Option(names = "--ctx", paramLabel = "N", description = "Tokens per window (default: ${DEFAULT-VALUE}).")
    int ctx = 128;

    @Option(names = "--max-kl", paramLabel = "NATS",
            description = "Largest acceptable mean KL divergence per token (default: ${DEFAULT-VALUE}).")
    double maxKl = EvalThresholds.DEFAULT_MAX_MEAN_KL;

    @Option(names = "--min-top1", paramLabel = "PERCENT",
            description = "Smallest acceptable top-1 agreement in percent (default: ${DEFAULT-VALUE}).")
    double minTop1Percent = EvalThresholds.DEFAULT_MIN_TOP1 * 100;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Option(names = "--kernels", defaultValue = "auto", paramLabel = "K",
            description = "Q8_0/Q4_0 and F16-attention kernels: auto, java or native, as for generate (default: ${DEFAULT-VALUE}).")
    KernelChoice kernels;

    /** The models to compare, given the kernels chosen (tests pass scripted ones). */
    private final Function<KernelChoice, EvalModels> models;

    EvalCommand() {
        this.models = k -> new LlamaEvalModels(0, k);
    }

    EvalCommand(EvalModels models) {
        this.models = k -> models;
    }

    @Override
    public Integer call() {
        EvalThresholds thresholds = new EvalThresholds(maxKl, minTop1Percent / 100);
        model = quantized.file();
        for (Path p : new Path[] {model, reference, text}) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("file not found: " + p);
            }
        }
        String content = readText();
        PrintWriter err = spec.commandLine().getErr();
        EvalResult result;
        int windows;
        EvalModels opener = models.apply(kernels);
        try (EvalModels.EvalModel ref = opener.open(reference); EvalModels.EvalModel quant = opener.open(model)) {
            if (ref.vocabularySize() != quant.vocabularySize()) {
                throw new IllegalArgumentException("the models have different vocabularies (" + ref.vocabularySize()
                        + " vs " + quant.vocabularySize() + " tokens); compare a model with its own quantization");
            }
            int[] tokens = ref.tokenize(content);
            windows = QuantEval.windows(tokens.length, ctx);
            result = QuantEval.run(ref.logits(), quant.logits(), tokens, new QuantEval.Options(ctx, ref.bosToken()),
                    json || !interactive() ? QuantEval.Progress.NONE : (done, total) -> {
                        err.printf(Locale.ROOT, "\reval: window %d/%d", done, total);
                        if (done == total) {
                            err.println();
                        }
                        err.flush();
                    });
        }
        EvalThresholds.Verdict verdict = thresholds.judge(result);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(result, verdict, thresholds, windows));
        } else {
            printReport(out, result, verdict, windows);
        }
        out.flush();
        return verdict.go() ? 0 : EXIT_NO_GO;
    }

    private String readText() {
        try {
            return Files.readString(text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + text + " as UTF-8 text: " + e.getMessage(), e);
        }
    }

    private void printReport(PrintWriter out, EvalResult r, EvalThresholds.Verdict verdict, int windows) {
        out.printf(Locale.ROOT, "%s vs %s on %s: %d windows of %d tokens, %d positions scored%n",
                model.getFileName(), reference.getFileName(), text.getFileName(), windows, ctx, r.positions());
        out.printf(Locale.ROOT, "perplexity        reference %.4f   quantized %.4f   (%+.2f%%)%n",
                r.perplexityReference(), r.perplexityQuantized(), r.perplexityChange() * 100);
        out.printf(Locale.ROOT, "KL divergence     mean %.3g   p99 %.3g   max %.3g  (nats per token)%n",
                r.meanKl(), r.p99Kl(), r.maxKl());
        out.printf(Locale.ROOT, "top-1 agreement   %.2f%%%n", r.top1Agreement() * 100);
        out.printf(Locale.ROOT, "verdict: %s (%s)%n", verdict.label(), verdict.reason());
    }

    private String toJson(EvalResult r, EvalThresholds.Verdict verdict, EvalThresholds t, int windows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.toString());
        m.put("reference", reference.toString());
        m.put("text", text.toString());
        m.put("ctx", ctx);
        m.put("windows", windows);
        m.put("positions", r.positions());
        m.put("perplexity_reference", r.perplexityReference());
        m.put("perplexity_quantized", r.perplexityQuantized());
        m.put("perplexity_change", r.perplexityChange());
        m.put("kl_mean", r.meanKl());
        m.put("kl_p99", r.p99Kl());
        m.put("kl_max", r.maxKl());
        m.put("top1_agreement", r.top1Agreement());
        m.put("max_kl", t.maxMeanKl());
        m.put("min_top1", t.minTop1Agreement());
        m.put("verdict", verdict.label());
        m.put("reason", verdict.reason());
        try {
            return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    /** Progress only for a person watching: a terminal, and not when the output goes to a file. */
    private static boolean interactive() {
        return System.console() != null && System.console().isTerminal();
    }
}
