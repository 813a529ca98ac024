package ai.sluice.cli;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.quant.QuantTarget;
import ai.sluice.core.quant.QuantizeJob;
import ai.sluice.core.quant.QuantizeProgress;
import ai.sluice.core.quant.QuantizeSummary;
import ai.sluice.core.quant.Quantizer;
import ai.sluice.core.quant.TensorPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sluice quantize IN OUT --type q8_0|q4_0|f16}: see the README's "quantize" section. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {
                "Quantize a GGUF model with F32, F16 or BF16 weights to Q8_0, Q4_0 or F16, in llama.cpp's block layouts.",
                "Matrix weights whose rows are not whole blocks of 32 stay F16; norms and other 1-D tensors are copied."
        })
final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "Input GGUF file.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output GGUF file (written atomically).")
    Path output;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "q8_0, q4_0 or f16.")
    String type;

    @Option(names = "--keep-output-f16",
            description = "Keep output.weight (token_embd.weight when the output is tied to it) at F16.")
    boolean keepOutputF16;

    @Option(names = {"-f", "--force"}, description = "Replace OUT if it exists.")
    boolean force;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per core).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--no-progress", description = "Do not draw the progress bar (drawn on stderr when it is a terminal).")
    boolean noProgress;

    @Override
    public Integer call() {
        QuantTarget target = QuantTarget.parse(type);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // A bar of carriage returns only helps on a terminal; in logs and pipes it is noise.
        boolean terminal = System.console() != null && System.console().isTerminal();
        ProgressBar bar = noProgress || !terminal ? null : new ProgressBar(err);
        QuantizeJob job = new QuantizeJob(input, output, target, keepOutputF16, force, Math.max(1, threads),
                bar == null ? QuantizeProgress.NONE : bar);
        QuantizeSummary summary;
        try {
            summary = Quantizer.run(job);
        } finally {
            if (bar != null) {
                bar.finish();
            }
        }
        printSummary(out, summary, target);
        return 0;
    }

    private void printSummary(PrintWriter out, QuantizeSummary s, QuantTarget target) {
        out.printf(Locale.ROOT, "%s -> %s as %s in %.2f s (%d threads)%n", input.getFileName(), output,
                target, s.elapsed().toNanos() / 1e9, Math.max(1, threads));
        String row = "%-7s %8s %14s %12s %12s %7s%n";
        out.printf(Locale.ROOT, row, "type", "tensors", "parameters", "before", "after", "ratio");
        for (QuantizeSummary.TypeTotals t : s.byOutputType().values()) {
            out.printf(Locale.ROOT, row, t.type(), t.tensors(), String.format(Locale.ROOT, "%,d", t.elements()),
                    Bytes.human(t.bytesBefore()), Bytes.human(t.bytesAfter()), ratio(t.bytesBefore(), t.bytesAfter()));
        }
        long params = 0;
        for (TensorPlan p : s.tensors()) {
            params += p.elements();
        }
        out.printf(Locale.ROOT, row, "tensors", s.tensors().size(), String.format(Locale.ROOT, "%,d", params),
                Bytes.human(s.tensorBytesBefore()), Bytes.human(s.tensorBytesAfter()),
                ratio(s.tensorBytesBefore(), s.tensorBytesAfter()));
        out.printf(Locale.ROOT, row, "file", "", "", Bytes.human(s.fileBytesBefore()), Bytes.human(s.fileBytesAfter()),
                ratio(s.fileBytesBefore(), s.fileBytesAfter()));
        List<String> fallbacks = new ArrayList<>();
        for (TensorPlan p : s.tensors()) {
            if (p.decision() == TensorPlan.Decision.F16_ROW_NOT_BLOCK_MULTIPLE) {
                fallbacks.add(p.name() + " (row " + p.rowLength() + ")");
            }
        }
        if (!fallbacks.isEmpty() && target.type() != GgmlType.F16) {
            out.printf(Locale.ROOT, "kept at F16, rows not a multiple of %d: %s%n", target.type().blockSize(),
                    fallbacks.size() <= 4 ? String.join(", ", fallbacks)
                            : String.join(", ", fallbacks.subList(0, 3)) + " and " + (fallbacks.size() - 3) + " more");
        }
        out.flush();
    }

    private static String ratio(long before, long after) {
        return after == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", (double) before / after);
    }

    /** A one-line bar on stderr, redrawn when the percentage changes. */
    private static final class ProgressBar implements QuantizeProgress {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private int shownPercent = -1;

        ProgressBar(PrintWriter err) {
            this.err = err;
        }

        @Override
        public synchronized void update(long done, long total, String tensor) {
            int percent = total == 0 ? 100 : (int) (done * 100 / total);
            if (percent == shownPercent) {
                return;
            }
            shownPercent = percent;
            int filled = percent * WIDTH / 100;
            String name = tensor.length() > 40 ? tensor.substring(0, 37) + "..." : tensor;
            err.printf(Locale.ROOT, "\r[%s%s] %3d%% %-40s", "#".repeat(filled), "-".repeat(WIDTH - filled), percent, name);
            err.flush();
        }

        synchronized void finish() {
            if (shownPercent >= 0) {
                err.println();
                err.flush();
            }
        }
    }
}
