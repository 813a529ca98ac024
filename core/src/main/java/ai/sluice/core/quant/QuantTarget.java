package ai.sluice.core.quant;

import ai.sluice.core.gguf.GgmlType;
import java.util.Locale;

/**
 * What a file is quantized to, with the {@code general.file_type} value llama.cpp writes for it
 * (its {@code llama_ftype}: MOSTLY_F16 = 1, MOSTLY_Q4_0 = 2, MOSTLY_Q8_0 = 7).
 */
public enum QuantTarget {
    Q8_0(GgmlType.Q8_0, 7),
    Q4_0(GgmlType.Q4_0, 2),
    F16(GgmlType.F16, 1);

    private final GgmlType type;
    private final int fileType;

    QuantTarget(GgmlType type, int fileType) {
        this.type = type;
        this.fileType = fileType;
    }

    /** The storage type of the quantized weights. */
    public GgmlType type() {
        return type;
    }

    /** The value of {@code general.file_type}. */
    public int fileType() {
        return fileType;
    }

    /** Parses {@code q8_0}, {@code Q4_0}, {@code f16}... */
    public static QuantTarget parse(String s) {
        for (QuantTarget t : values()) {
            if (t.name().equalsIgnoreCase(s.trim())) {
                return t;
            }
        }
        throw new QuantizeException("unknown quantization type '" + s + "'; use one of q8_0, q4_0, f16");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
