package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;

/** A tensor whose element type Sluice cannot compute with; the message names the tensor and the type. */
public final class UnsupportedTensorTypeException extends RuntimeException {
    public UnsupportedTensorTypeException(String tensorName, GgmlType type) {
        super("tensor '" + tensorName + "' has type " + type
                + ", which Sluice cannot compute with (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
    }
}
