package ai.sluice.core.quant;

import ai.sluice.core.format.RowCodec;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufFormatException;
import ai.sluice.core.gguf.GgufValue;
import ai.sluice.core.gguf.GgufWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Quantizes a GGUF file: {@code IN.gguf -> OUT.gguf}.
 *
 * <p>The output is laid out by {@link GgufWriter} and memory-mapped; each tensor is converted
 * straight from the input mapping into its slice of the output mapping, in chunks of rows spread
 * over a pool of worker threads (one per job, shut down at the end). Each chunk owns its scratch
 * rows, so the per-element loops allocate nothing.
 */
public final class Quantizer {
    /** Written by llama-quantize as {@code general.quantization_version} (GGML_QNT_VERSION). */
    static final int QUANTIZATION_VERSION = 2;
    /** Aim for chunks of at least this many elements, so small tensors are not split into crumbs. */
    private static final long MIN_CHUNK_ELEMENTS = 1 << 16;

    private Quantizer() {
    }

    public static QuantizeSummary run(QuantizeJob job) {
        long start = System.nanoTime();
        checkPaths(job);
        try (GgufFile input = GgufFile.open(job.input())) {
            List<TensorPlan> plans = QuantizePlanner.plan(input, job.target(), job.keepOutputF16());
            Map<String, GgufValue> metadata = new LinkedHashMap<>(input.metadata().asMap());
            metadata.put("general.file_type", GgufValue.ofUInt32(job.target().fileType()));
            metadata.put("general.quantization_version", GgufValue.ofUInt32(QUANTIZATION_VERSION));

            long totalElements = 0;
            for (TensorPlan p : plans) {
                totalElements += p.elements();
            }
            ExecutorService pool = Executors.newFixedThreadPool(job.threads(), runnable -> {
                Thread t = new Thread(runnable, "sluice-quantize");
                t.setDaemon(true);
                return t;
            });
            try {
                Progress progress = new Progress(job.progress(), totalElements);
                List<GgufWriter.TensorSpec> specs = new ArrayList<>(plans.size());
                for (TensorPlan p : plans) {
                    MemorySegment source = input.tensorData(p.source());
                    specs.add(new GgufWriter.TensorSpec(p.name(), p.to(), p.source().shape(),
                            target -> fill(p, source, target, pool, job.threads(), progress)));
                }
                GgufWriter.write(job.output(), metadata, specs);
            } finally {
                pool.shutdownNow();
            }
            long after = sizeOf(job.output());
            return new QuantizeSummary(plans, input.fileSize(), after, Duration.ofNanos(System.nanoTime() - start));
        } catch (GgufFormatException e) {
            throw new QuantizeException(job.input().getFileName() + ": " + e.getMessage(), e);
        }
    }

    private static void checkPaths(QuantizeJob job) {
        if (!Files.isRegularFile(job.input())) {
            throw new QuantizeException("input file not found: " + job.input());
        }
        if (Files.exists(job.output())) {
            try {
                if (Files.isSameFile(job.input(), job.output())) {
                    throw new QuantizeException("output is the input file: " + job.output());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!job.overwrite()) {
                throw new QuantizeException("output exists: " + job.output() + " (use QuantizeJob.overwrite to replace it)");
            }
        }
        Path dir = job.output().toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new QuantizeException("output directory does not exist: " + dir);
        }
    }

    /** Converts one tensor into {@code target}, in parallel chunks of whole rows. */
    private static void fill(TensorPlan plan, MemorySegment source, MemorySegment target,
                             ExecutorService pool, int threads, Progress progress) {
        if (plan.decision() == TensorPlan.Decision.COPIED) {
            MemorySegment.copy(source, 0, target, 0, source.byteSize());
            progress.advance(plan.elements(), plan.name());
            return;
        }
        long rows = plan.rows();
        long rowsPerChunk = Math.max(
                Math.ceilDiv(rows, threads * 4L),
                Math.ceilDiv(MIN_CHUNK_ELEMENTS, plan.rowLength()));
        if (rowsPerChunk >= rows) {
            new RowConverter(plan, source, target, progress).convert(0, rows);
            return;
        }
        List<Callable<Void>> chunks = new ArrayList<>();
        for (long first = 0; first < rows; first += rowsPerChunk) {
            long from = first;
            long to = Math.min(rows, first + rowsPerChunk);
            chunks.add(() -> {
                new RowConverter(plan, source, target, progress).convert(from, to);
                return null;
            });
        }
        try {
            for (Future<Void> f : pool.invokeAll(chunks)) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuantizeException("interrupted while quantizing " + plan.name(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new QuantizeException("quantizing " + plan.name() + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** Converts rows of one tensor, with scratch buffers of its own (one per chunk). */
    private static final class RowConverter {
        private final TensorPlan plan;
        private final MemorySegment source;
        private final MemorySegment target;
        private final Progress progress;
        private final RowCodec decoder;
        private final RowCodec encoder;
        private final int n;
        private final int inRowBytes;
        private final int outRowBytes;

        RowConverter(TensorPlan plan, MemorySegment source, MemorySegment target, Progress progress) {
            this.plan = plan;
            this.source = source;
            this.target = target;
            this.progress = progress;
            this.decoder = RowCodec.of(plan.from());
            this.encoder = RowCodec.of(plan.to());
            this.n = plan.rowLength();
            this.inRowBytes = Math.toIntExact(plan.from().byteSize(n));
            this.outRowBytes = Math.toIntExact(plan.to().byteSize(n));
        }

        void convert(long fromRow, long toRow) {
            byte[] in = new byte[inRowBytes];
            float[] row = new float[n];
            byte[] out = new byte[outRowBytes];
            for (long r = fromRow; r < toRow; r++) {
                MemorySegment.copy(source, ValueLayout.JAVA_BYTE, r * inRowBytes, in, 0, inRowBytes);
                decoder.decode(in, 0, n, row, 0);
                encoder.encode(row, 0, n, out, 0);
                MemorySegment.copy(out, 0, target, ValueLayout.JAVA_BYTE, r * outRowBytes, outRowBytes);
            }
            progress.advance((toRow - fromRow) * n, plan.name());
        }
    }

    /** Sums finished elements across workers and forwards them to the job's callback. */
    private static final class Progress {
        private final QuantizeProgress callback;
        private final long total;
        private final AtomicLong done = new AtomicLong();

        Progress(QuantizeProgress callback, long total) {
            this.callback = callback;
            this.total = total;
        }

        void advance(long elements, String tensor) {
            callback.update(done.addAndGet(elements), total, tensor);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + p + ": " + e.getMessage(), e);
        }
    }
}
