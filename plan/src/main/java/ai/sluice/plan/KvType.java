package ai.sluice.plan;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Element type of the KV cache and the bytes one element costs (Q8_0: 34 bytes per 32 values). */
public enum KvType {
    F16("f16", 2),
    F32("f32", 4),
    FP8("fp8", 1),
    Q8_0("q8_0", 34.0 / 32.0);

    private final String label;
    private final double bytesPerElement;

    KvType(String label, double bytesPerElement) {
        this.label = label;
        this.bytesPerElement = bytesPerElement;
    }

    public String label() {
        return label;
    }

    public double bytesPerElement() {
        return bytesPerElement;
    }

    public static KvType parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (n.equals("fp16") || n.equals("bf16")) {
            return F16;
        }
        if (n.equals("fp32")) {
            return F32;
        }
        for (KvType t : values()) {
            if (t.label.equals(n)) {
                return t;
            }
        }
        throw new PlanException("unknown KV cache type '" + name + "'; valid: "
                + Arrays.stream(values()).map(KvType::label).collect(Collectors.joining(", ")));
    }
}
