package ai.sluice.plan;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The KV cache precision of a deployment being planned, on any server (fp8 and q8_0 caches exist on
 * accelerator servers, not in Sluice), and the bytes one element costs (Q8_0: 34 bytes per 32
 * values). Sluice's own KV element type is {@link ai.sluice.core.tensor.KvType}; {@link #of} maps it here.
 */
public enum KvPrecision {
    F16("f16", 2),
    F32("f32", 4),
    FP8("fp8", 1),
    Q8_0("q8_0", 34.0 / 32.0);

    private final String label;
    private final double bytesPerElement;

    KvPrecision(String label, double bytesPerElement) {
        this.label = label;
        this.bytesPerElement = bytesPerElement;
    }

    public String label() {
        return label;
    }

    public double bytesPerElement() {
        return bytesPerElement;
    }

    /** The precision of Sluice's own KV cache of {@code type}. */
    public static KvPrecision of(ai.sluice.core.tensor.KvType type) {
        return switch (type) {
            case F32 -> F32;
            case F16 -> F16;
        };
    }

    public static KvPrecision parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (n.equals("fp16") || n.equals("bf16")) {
            return F16;
        }
        if (n.equals("fp32")) {
            return F32;
        }
        for (KvPrecision t : values()) {
            if (t.label.equals(n)) {
                return t;
            }
        }
        throw new PlanException("unknown KV cache type '" + name + "'; valid: "
                + Arrays.stream(values()).map(KvPrecision::label).collect(Collectors.joining(", ")));
    }
}
