package ai.sluice.core.quant;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One quantization to run.
 *
 * @param input the GGUF to read (F32, F16 or BF16 weights)
 * @param output where to write; refused if it exists and {@code overwrite} is false
 * @param target the type for the matrix weights
 * @param keepOutputF16 keep {@code output.weight} (or {@code token_embd.weight} when the output is
 *     tied to it) at F16: the output projection is the tensor most sensitive to quantization
 * @param overwrite replace an existing output file
 * @param threads worker threads (at least 1)
 * @param progress called as chunks finish
 */
public record QuantizeJob(Path input, Path output, QuantTarget target, boolean keepOutputF16,
                          boolean overwrite, int threads, QuantizeProgress progress) {
    public QuantizeJob {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(progress, "progress");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
    }

    /** A job with the defaults: no F16 output, no overwrite, one thread per core, no progress. */
    public static QuantizeJob of(Path input, Path output, QuantTarget target) {
        return new QuantizeJob(input, output, target, false, false,
                Runtime.getRuntime().availableProcessors(), QuantizeProgress.NONE);
    }

    public QuantizeJob withKeepOutputF16(boolean keep) {
        return new QuantizeJob(input, output, target, keep, overwrite, threads, progress);
    }

    public QuantizeJob withOverwrite(boolean replace) {
        return new QuantizeJob(input, output, target, keepOutputF16, replace, threads, progress);
    }

    public QuantizeJob withThreads(int n) {
        return new QuantizeJob(input, output, target, keepOutputF16, overwrite, n, progress);
    }

    public QuantizeJob withProgress(QuantizeProgress p) {
        return new QuantizeJob(input, output, target, keepOutputF16, overwrite, threads, p);
    }
}
