package ai.sluice.core.quant;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufTensorInfo;

/**
 * What happens to one tensor: read as {@code from}, written as {@code to}, and why.
 *
 * @param source the input tensor
 * @param to the output type
 * @param decision why it gets that type
 */
public record TensorPlan(GgufTensorInfo source, GgmlType to, Decision decision) {

    /** The reasons a tensor ends up with its output type. */
    public enum Decision {
        /** A 2-D (or higher) weight converted to the target type. */
        CONVERTED("converted to the target type"),
        /** Its row length is not a multiple of the target's block size; llama.cpp keeps such rows at F16. */
        F16_ROW_NOT_BLOCK_MULTIPLE("row length is not a multiple of the block size: F16"),
        /** The output projection (or the tied token embedding) kept at F16 on request. */
        F16_KEPT_OUTPUT("output projection kept at F16 (QuantizeJob.keepOutputF16)"),
        /** Not a matrix weight (norms, biases, integer tables): copied byte for byte. */
        COPIED("copied unchanged");

        private final String description;

        Decision(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    public String name() {
        return source.name();
    }

    public GgmlType from() {
        return source.type();
    }

    public long elements() {
        return source.elementCount();
    }

    public long bytesBefore() {
        return source.byteSize();
    }

    public long bytesAfter() {
        return to.byteSize(source.elementCount());
    }

    /** Row length (elements along the contiguous dimension). */
    public int rowLength() {
        return Math.toIntExact(source.dim(0));
    }

    public long rows() {
        return source.elementCount() / source.dim(0);
    }
}
