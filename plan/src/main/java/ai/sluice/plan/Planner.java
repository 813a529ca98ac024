package ai.sluice.plan;

import java.util.Locale;

/**
 * The planning arithmetic. Every figure is a model, stated here so a reader can check it:
 *
 * <ul>
 * <li><b>Weights</b>: total parameters x bits per weight / 8 (or the GGUF file's exact bytes),
 *     split evenly over the tensor-parallel (TP) shards.
 * <li><b>KV cache</b>: 2 (K and V) x layers x KV heads x head dim x element bytes per token, times
 *     concurrency x context. A shard stores ceil(KV heads / TP) heads, so TP beyond the KV heads
 *     duplicates them.
 * <li><b>Overhead</b>: per device max(1 GiB, 10% of its weights + KV): activations, CUDA/runtime
 *     context, allocator fragmentation. (vLLM leaves 10% of a GPU unused by default for the same
 *     reasons.)
 * <li><b>Devices</b>: the smallest power-of-two TP degree, dividing the query heads, at which
 *     weights/TP + KV/TP + overhead fits one device.
 * <li><b>Decode</b>: roofline; a step reads every active weight once (for MoE, the experts the batch
 *     touches: E x (1 - (1 - k/E)^batch)) plus each sequence's KV at full context (worst case), and
 *     takes max(bytes / bandwidth, FLOPs / peak). Interconnect time is ignored, so it is an upper
 *     bound; real engines reach roughly 50-80% of it.
 * <li><b>Prefill</b>: compute-bound; (2 x active params + 2 x layers x heads x head dim x context)
 *     FLOPs per prompt token over all devices' dense peak x {@value #PREFILL_EFFICIENCY}.
 * <li><b>Cost</b>: cloud rent is paid for busy hours only (utilization x 730 h a month) by default, or for
 *     all 730 h when reserved ({@link CloudBilling}); a purchase
 *     is paid whether busy or not, written off over the amortization months, plus power at full TDP
 *     when an electricity price is given. Tokens per month = aggregate decode x busy seconds.
 * </ul>
 */
public final class Planner {
    public static final long GIB = 1L << 30;
    /** Overhead per device: at least this much ... */
    public static final long OVERHEAD_MIN_BYTES = GIB;
    /** ... or this fraction of the device's weights + KV, whichever is larger. */
    public static final double OVERHEAD_FRACTION = 0.10;
    /** Fraction of dense peak that prefill reaches in practice (model FLOPs utilization). */
    public static final double PREFILL_EFFICIENCY = 0.5;
    public static final double HOURS_PER_MONTH = 730;
    /** Largest tensor-parallel degree considered (8 nodes of 8 GPUs). */
    public static final int MAX_TENSOR_PARALLEL = 64;
    public static final String OVERHEAD_RULE =
            "per device max(1 GiB, 10% of weights + KV): activations, runtime, fragmentation";

    private Planner() {
    }

    public static Plan plan(PlanRequest req) {
        ModelSpec m = req.model();
        HardwareSpec hw = req.hardware();
        long weights = m.weightBytes(req.precision());
        long tokens = (long) req.context() * req.concurrency();

        int tp = smallestFittingTp(req, weights, tokens);
        long kvPerTokenShard = m.kvBytesPerTokenPerShard(req.kvPrecision(), tp);
        long weightsShard = Math.ceilDiv(weights, tp);
        long kvShard = kvPerTokenShard * tokens;
        long overheadShard = overhead(weightsShard + kvShard);
        long perDevice = weightsShard + kvShard + overheadShard;
        int maxConcurrency = maxConcurrency(hw.memoryBytes(), weightsShard, kvPerTokenShard * req.context());

        Plan.Memory memory = new Plan.Memory(weights, m.kvBytesPerToken(req.kvPrecision()), kvPerTokenShard,
                m.kvDuplication(tp), kvShard * tp, overheadShard * tp, perDevice * tp, perDevice, hw.memoryBytes());
        Plan.Parallelism parallelism = new Plan.Parallelism(tp, Math.ceilDiv(tp, hw.perNode()), maxConcurrency);

        ComputeType compute = req.precision() == null ? ComputeType.BF16 : req.precision().compute();
        double bytesPerParam = (double) weights / m.totalParams();
        Step step = decodeStep(req, tp, bytesPerParam, compute, req.concurrency());
        Step stepAtMax = decodeStep(req, tp, bytesPerParam, compute, maxConcurrency);
        double prefillFlopsPerToken = 2.0 * m.activeParams()
                + 2.0 * m.layers() * m.heads() * m.keyLength() * req.context();
        double prefill = tp * hw.flopsPerSecond(compute) * PREFILL_EFFICIENCY / prefillFlopsPerToken;
        Plan.Throughput throughput = new Plan.Throughput(1 / step.seconds, req.concurrency() / step.seconds,
                step.boundBy, maxConcurrency / stepAtMax.seconds, prefill, req.context() / prefill);

        Plan.Cost cost = cost(req, tp, req.concurrency() / step.seconds);
        Plan.Inputs inputs = new Plan.Inputs(m.name(), m.source(), hw.name(), hw.source(),
                req.precision() == null ? "file" : req.precision().label(), weights * 8.0 / m.totalParams(),
                req.kvPrecision().label(), req.context(), req.concurrency(), req.utilization(), req.amortizationMonths(),
                m.totalParams(), m.activeParams(), OVERHEAD_RULE, req.cloudBilling().description());
        Plan partial = new Plan(inputs, memory, parallelism, throughput, cost, "");
        int wider = tp * 2;
        int maxConcurrencyWider = wider <= MAX_TENSOR_PARALLEL && m.heads() % wider == 0
                ? maxConcurrency(hw.memoryBytes(), Math.ceilDiv(weights, wider),
                        m.kvBytesPerTokenPerShard(req.kvPrecision(), wider) * req.context())
                : 0;
        return new Plan(inputs, memory, parallelism, throughput, cost,
                Recommendation.of(partial, hw, maxConcurrencyWider));
    }

    /** Overhead one device needs on top of {@code payloadBytes} of weights and KV. */
    public static long overhead(long payloadBytes) {
        return Math.max(OVERHEAD_MIN_BYTES, (long) Math.ceil(payloadBytes * OVERHEAD_FRACTION));
    }

    private static int smallestFittingTp(PlanRequest req, long weights, long tokens) {
        ModelSpec m = req.model();
        long capacity = req.hardware().memoryBytes();
        long bestPerDevice = Long.MAX_VALUE;
        int bestTp = 1;
        for (int tp = 1; tp <= MAX_TENSOR_PARALLEL && m.heads() % tp == 0; tp *= 2) {
            long payload = Math.ceilDiv(weights, tp) + m.kvBytesPerTokenPerShard(req.kvPrecision(), tp) * tokens;
            long perDevice = payload + overhead(payload);
            if (perDevice <= capacity) {
                return tp;
            }
            bestPerDevice = perDevice;
            bestTp = tp;
        }
        throw new PlanException(String.format(Locale.ROOT,
                "%s at %s with %d x %d tokens does not fit %s: even at TP %d a device needs %.1f GB of %.1f GB;"
                        + " use a smaller PlanRequest.precision (e.g. q4_k), a shorter PlanRequest.context,"
                        + " a lower PlanRequest.concurrency,"
                        + " or hardware with more memory",
                m.name(), req.precision() == null ? "its file precision" : req.precision().label(),
                req.concurrency(), req.context(), req.hardware().name(), bestTp, bestPerDevice / 1e9,
                capacity / 1e9));
    }

    /** Largest batch with weights + batch x KV + overhead <= capacity on one device (0 if none). */
    static int maxConcurrency(long capacity, long weightsShard, long kvPerSequenceShard) {
        double byMinimum = (double) (capacity - OVERHEAD_MIN_BYTES - weightsShard) / kvPerSequenceShard;
        double byFraction = (capacity / (1 + OVERHEAD_FRACTION) - weightsShard) / kvPerSequenceShard;
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, Math.floor(Math.min(byMinimum, byFraction))));
    }

    private record Step(double seconds, String boundBy) {
    }

    /** One decode step for {@code batch} sequences on each of {@code tp} devices (roofline). */
    private static Step decodeStep(PlanRequest req, int tp, double bytesPerParam, ComputeType compute, int batch) {
        ModelSpec m = req.model();
        HardwareSpec hw = req.hardware();
        int b = Math.max(1, batch);
        long expertParams = m.expertParams();
        double touched = m.isMoe() ? 1 - Math.pow(1 - (double) m.expertsActive() / m.experts(), b) : 0;
        double paramsRead = (m.totalParams() - expertParams) + expertParams * touched;
        double bytes = paramsRead * bytesPerParam / tp
                + (double) b * req.context() * m.kvBytesPerTokenPerShard(req.kvPrecision(), tp);
        double flops = (2.0 * m.activeParams() + 4.0 * m.layers() * m.heads() * m.keyLength() * req.context())
                * b / tp;
        double memorySeconds = bytes / hw.bandwidthBytesPerSecond();
        double computeSeconds = flops / hw.flopsPerSecond(compute);
        return memorySeconds >= computeSeconds
                ? new Step(memorySeconds, "memory")
                : new Step(computeSeconds, "compute");
    }

    private static Plan.Cost cost(PlanRequest req, int tp, double aggregateTokensPerSecond) {
        HardwareSpec hw = req.hardware();
        double busyHours = HOURS_PER_MONTH * req.utilization();
        double millionTokensPerMonth = aggregateTokensPerSecond * busyHours * 3600 / 1e6;
        double power = req.electricityUsdPerKwh() == null ? 0
                : tp * hw.tdpWatts() / 1000 * HOURS_PER_MONTH * req.electricityUsdPerKwh();
        double billedHours = req.cloudBilling() == CloudBilling.RESERVED ? HOURS_PER_MONTH : busyHours;
        Double cloud = hw.cloudUsdPerHour() == null ? null : tp * hw.cloudUsdPerHour() * billedHours;
        Double onPrem = hw.purchaseUsd() == null ? null : tp * hw.purchaseUsd() / req.amortizationMonths() + power;
        Integer breakEven = null;
        if (cloud != null && onPrem != null && cloud > power) {
            breakEven = (int) Math.ceil(tp * hw.purchaseUsd() / (cloud - power));
        }
        return new Plan.Cost(cloud, onPrem, power, breakEven,
                cloud == null ? null : cloud / millionTokensPerMonth,
                onPrem == null ? null : onPrem / millionTokensPerMonth);
    }
}
