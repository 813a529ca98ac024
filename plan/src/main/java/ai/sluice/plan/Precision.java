package ai.sluice.plan;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How weights are stored, with the bits each weight really costs including block scales: GGUF's
 * Q8_0 is 34 bytes per 32 weights (8.5 bits), Q4_0 18 bytes per 32 (4.5), Q4_K 144 bytes per 256
 * (4.5). Plain int4 (GPTQ/AWQ style) carries one fp16 scale and one fp16 zero per group of 128
 * weights: 4 + 32/128 = 4.25 bits. Per-channel int8 and fp8 scales are negligible.
 */
public enum Precision {
    FP32("fp32", 32, ComputeType.BF16),
    FP16("fp16", 16, ComputeType.BF16),
    BF16("bf16", 16, ComputeType.BF16),
    FP8("fp8", 8, ComputeType.FP8),
    INT8("int8", 8, ComputeType.INT8),
    Q8_0("q8_0", 8.5, ComputeType.INT8),
    INT4("int4", 4.25, ComputeType.BF16),
    Q4_0("q4_0", 4.5, ComputeType.BF16),
    Q4_K("q4_k", 4.5, ComputeType.BF16);

    private final String label;
    private final double bitsPerWeight;
    private final ComputeType compute;

    Precision(String label, double bitsPerWeight, ComputeType compute) {
        this.label = label;
        this.bitsPerWeight = bitsPerWeight;
        this.compute = compute;
    }

    public String label() {
        return label;
    }

    public double bitsPerWeight() {
        return bitsPerWeight;
    }

    /**
     * The arithmetic matrix multiplies use: 4-bit formats are dequantized to bf16 on the fly
     * (weight-only quantization), 8-bit formats run on int8/fp8 tensor cores.
     */
    public ComputeType compute() {
        return compute;
    }

    public long bytesFor(long parameters) {
        return (long) Math.ceil(parameters * bitsPerWeight / 8.0);
    }

    /** Parses a name such as {@code bf16}, {@code Q4_K} or {@code q4_k_m} (K-quant mixes count as Q4_K). */
    public static Precision parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (n.equals("q4_k_m") || n.equals("q4_k_s")) {
            return Q4_K;
        }
        for (Precision p : values()) {
            if (p.label.equals(n)) {
                return p;
            }
        }
        throw new PlanException("unknown precision '" + name + "'; valid: "
                + Arrays.stream(values()).map(Precision::label).collect(Collectors.joining(", ")));
    }
}
