package ai.sluice.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    /**
     * What people call each format besides its label (keys as {@link #parse} normalizes them: lower case, no
     * separators). A bare bit count means the plain integer format ({@code 8bit} = int8, {@code 4bit} = int4, as
     * bitsandbytes and GPTQ/AWQ users mean it); {@code q8}/{@code q4} mean llama.cpp's usual files (Q8_0, Q4_K_M).
     */
    private static final Map<String, Precision> ALIASES = Map.ofEntries(
            Map.entry("f32", FP32), Map.entry("float32", FP32), Map.entry("float", FP32), Map.entry("32bit", FP32),
            Map.entry("f16", FP16), Map.entry("float16", FP16), Map.entry("half", FP16), Map.entry("16bit", FP16),
            Map.entry("bfloat16", BF16),
            Map.entry("float8", FP8), Map.entry("e4m3", FP8), Map.entry("fp8e4m3", FP8), Map.entry("f8", FP8),
            Map.entry("8bit", INT8), Map.entry("8", INT8), Map.entry("i8", INT8), Map.entry("w8a8", INT8),
            Map.entry("w8a16", INT8), Map.entry("q8", Q8_0), Map.entry("q80", Q8_0),
            Map.entry("4bit", INT4), Map.entry("4", INT4), Map.entry("i4", INT4), Map.entry("gptq", INT4),
            Map.entry("awq", INT4), Map.entry("w4a16", INT4),
            Map.entry("q4", Q4_K), Map.entry("q40", Q4_0), Map.entry("q4k", Q4_K), Map.entry("q4km", Q4_K),
            Map.entry("q4ks", Q4_K));

    /**
     * Parses what people type: a label ({@code bf16}, {@code Q4_K}, {@code q4_k_m}: K-quant mixes count as Q4_K) or
     * a common name ({@code 8bit}, {@code 8-bit}, {@code int8}, {@code q8}, {@code fp8}, {@code 4bit}, {@code awq}).
     */
    public static Precision parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT).replaceAll("[-_ ]", "");
        for (Precision p : values()) {
            if (p.label.replace("_", "").equals(n)) {
                return p;
            }
        }
        Precision alias = ALIASES.get(n);
        if (alias != null) {
            return alias;
        }
        List<String> known = new ArrayList<>(Arrays.stream(values()).map(Precision::label).toList());
        known.addAll(List.of("8bit", "4bit"));
        String hint = CatalogNames.closest(name, known).map(s -> "did you mean '" + s + "'? ").orElse("");
        throw new PlanException("unknown precision '" + name + "'; " + hint + "valid: "
                + Arrays.stream(values()).map(Precision::label).collect(Collectors.joining(", "))
                + " (or 8bit, 4bit, q8, q4, awq, gptq)");
    }
}
