package ai.sluice.plan;

/**
 * A complete answer: memory, parallelism, speed, cost and a recommendation. Bytes are exact
 * integers; speeds are roofline upper bounds (see {@link Planner}).
 */
public record Plan(Inputs inputs, Memory memory, Parallelism parallelism, Throughput throughput, Cost cost,
                   String recommendation) {

    /**
     * The request as resolved (names, formats, the rule used for overhead, how cloud rent is billed).
     */
    public record Inputs(String model, String modelSource, String hardware, String hardwareSource, String precision,
                         double bitsPerWeight, String kvType, int context, int concurrency, double utilization,
                         int amortizationMonths, long totalParams, long activeParams, String overheadRule,
                         String cloudBilling) {
    }

    /**
     * Memory across all devices of the deployment.
     *
     * @param weightBytes all weights
     * @param kvBytesPerToken logical KV bytes per token (one copy of every head)
     * @param kvBytesPerTokenPerDevice what one shard stores per token at the chosen TP
     * @param kvDuplication stored / logical KV (above 1 when TP exceeds the KV heads)
     * @param kvBytes KV stored for concurrency x context, duplication included
     * @param overheadBytes activations, runtime and allocator slack, all devices
     * @param totalBytes weights + KV + overhead
     * @param perDeviceBytes what one device holds
     * @param deviceBytes one device's capacity
     */
    public record Memory(long weightBytes, long kvBytesPerToken, long kvBytesPerTokenPerDevice, double kvDuplication,
                         long kvBytes, long overheadBytes, long totalBytes, long perDeviceBytes, long deviceBytes) {
    }

    /** Devices needed (tensor-parallel degree), servers they span, and the most sequences that fit. */
    public record Parallelism(int tensorParallel, int nodes, int maxConcurrency) {
    }

    /**
     * Roofline speeds.
     *
     * @param decodeTokensPerSecondPerSequence one sequence's output speed at the requested concurrency
     * @param decodeTokensPerSecondAggregate all sequences together
     * @param decodeBoundBy memory (bandwidth) or compute
     * @param decodeTokensPerSecondAggregateAtMax aggregate at the largest concurrency that fits
     * @param prefillTokensPerSecond prompt tokens per second, compute-bound, all devices
     * @param secondsToFillContext time to prefill one full-context prompt
     */
    public record Throughput(double decodeTokensPerSecondPerSequence, double decodeTokensPerSecondAggregate,
                             String decodeBoundBy, double decodeTokensPerSecondAggregateAtMax,
                             double prefillTokensPerSecond, double secondsToFillContext) {
    }

    /**
     * Money per month. Null fields are unknown (the catalog has no price for this hardware).
     *
     * @param cloudUsdPerMonth rent for the hours billed: the busy hours, or all 730 when reserved
     * @param onPremUsdPerMonth purchase amortized over the months, plus power if priced
     * @param powerUsdPerMonth electricity when a price was given, else 0
     * @param breakEvenMonth first month in which buying has cost less in total than renting; null: never
     * @param cloudUsdPerMillionTokens output tokens at the requested concurrency
     * @param onPremUsdPerMillionTokens output tokens at the requested concurrency
     */
    public record Cost(Double cloudUsdPerMonth, Double onPremUsdPerMonth, double powerUsdPerMonth,
                       Integer breakEvenMonth, Double cloudUsdPerMillionTokens, Double onPremUsdPerMillionTokens) {
    }
}
