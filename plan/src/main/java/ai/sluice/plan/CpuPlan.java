package ai.sluice.plan;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.model.ModelShape;
import java.util.Locale;

/**
 * The planner's memory arithmetic for one process on the CPU backend, for the engine and
 * {@code serve} to size their KV pool with and to log at start, so the plan and the measured
 * process can be compared ("plan and reality agree", issue 6: measured KV pool and resident memory
 * within 5% of {@link #kvBytes(long)} and {@link #residentBytes(long)}).
 *
 * <p>Weights are the GGUF file's tensor bytes (mmapped: they become resident as the first
 * forward passes touch them). The KV pool is exactly {@code tokens x kvBytesPerToken()}, allocated
 * (and zeroed, so resident) at start. Overhead is {@link #JVM_BASELINE_BYTES}: unlike an accelerator,
 * whose overhead grows with the weights and KV it holds (activations, fragmentation), the CPU
 * process adds a roughly fixed JVM footprint. {@code ServePlanTest} checks the whole figure against
 * a real {@code serve} process.
 */
public record CpuPlan(ModelSpec model, KvType kvType) {

    public CpuPlan {
        if (model.fileWeightBytes() <= 0) {
            throw new PlanException("a CPU plan needs the model file's weight bytes");
        }
    }

    /** The plan for a model already opened by the engine. */
    public static CpuPlan of(ModelShape shape, KvType kvType) {
        return new CpuPlan(GgufModels.spec(shape, shape.parameterCount(), shape.architecture(), "gguf"), kvType);
    }

    /** K and V bytes one token occupies across all layers (no parallelism on one CPU process). */
    public long kvBytesPerToken() {
        return model.kvBytesPerToken(KvPrecision.of(kvType));
    }

    /** Bytes of a KV pool holding {@code tokens} tokens (e.g. slots x context). */
    public long kvBytes(long tokens) {
        return Math.multiplyExact(tokens, kvBytesPerToken());
    }

    public long weightBytes() {
        return model.fileWeightBytes();
    }

    /**
     * Resident memory of the JVM itself beside weights and KV: heap in use, metaspace, JIT code,
     * thread stacks, the HTTP server. Measured on {@code sluice serve} with stories260K and a 16 MiB
     * KV pool after one request: 205 MiB RSS (JDK 25, ParallelGC, 2 cores); a 1 GiB pool added
     * 1,040 MiB more, i.e. the pool itself.
     */
    public static final long JVM_BASELINE_BYTES = 200L << 20;

    /** The CPU process's fixed overhead; the same for any pool size (see {@link #JVM_BASELINE_BYTES}). */
    public long overheadBytes(long tokens) {
        return JVM_BASELINE_BYTES;
    }

    /** Expected resident memory once weights are touched and a KV pool of {@code tokens} is allocated. */
    public long residentBytes(long tokens) {
        return weightBytes() + kvBytes(tokens) + overheadBytes(tokens);
    }

    /** One log line: what the process is planned to hold. */
    public String describe(long tokens) {
        return String.format(Locale.ROOT,
                "plan: weights %,d B + KV %,d B (%,d tokens x %,d B, %s) + overhead %,d B = %,d B resident",
                weightBytes(), kvBytes(tokens), tokens, kvBytesPerToken(), KvPrecision.of(kvType).label(), overheadBytes(tokens),
                residentBytes(tokens));
    }
}
