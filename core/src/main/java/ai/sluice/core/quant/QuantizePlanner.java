package ai.sluice.core.quant;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufTensorInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides each tensor's output type, following llama-quantize's rules for the legacy types:
 * matrix weights (rank >= 2, name ending in {@code weight}) go to the target; those whose rows
 * cannot be cut into whole blocks fall back to F16; everything else (norms, 1-D tensors) is copied.
 */
public final class QuantizePlanner {
    private QuantizePlanner() {
    }

    public static List<TensorPlan> plan(GgufFile input, QuantTarget target, boolean keepOutputF16) {
        String outputTensor = input.hasTensor("output.weight") ? "output.weight" : "token_embd.weight";
        List<TensorPlan> plans = new ArrayList<>(input.tensors().size());
        for (GgufTensorInfo t : input.tensors().values()) {
            plans.add(planOne(t, target, keepOutputF16 && t.name().equals(outputTensor)));
        }
        return List.copyOf(plans);
    }

    private static TensorPlan planOne(GgufTensorInfo t, QuantTarget target, boolean keepF16) {
        boolean matrixWeight = t.rank() >= 2 && t.name().endsWith("weight");
        if (!matrixWeight) {
            return new TensorPlan(t, t.type(), TensorPlan.Decision.COPIED);
        }
        if (!isFloat(t.type())) {
            String why = t.type().isQuantized()
                    ? "is already " + t.type() + "; quantize from the F32, F16 or BF16 original"
                    : "has type " + t.type() + ", which is not a float type";
            throw new QuantizeException("input tensor '" + t.name() + "' " + why);
        }
        if (keepF16) {
            return new TensorPlan(t, GgmlType.F16, TensorPlan.Decision.F16_KEPT_OUTPUT);
        }
        if (t.dim(0) % target.type().blockSize() != 0) {
            return new TensorPlan(t, GgmlType.F16, TensorPlan.Decision.F16_ROW_NOT_BLOCK_MULTIPLE);
        }
        return new TensorPlan(t, target.type(), TensorPlan.Decision.CONVERTED);
    }

    private static boolean isFloat(GgmlType type) {
        return type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16;
    }
}
