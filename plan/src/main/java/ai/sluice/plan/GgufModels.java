package ai.sluice.plan;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufFormatException;
import ai.sluice.core.gguf.GgufTensorInfo;
import ai.sluice.core.model.ModelShape;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a {@link ModelSpec} from a GGUF file's metadata and tensor table (no weight is read). */
public final class GgufModels {
    private GgufModels() {
    }

    public static ModelSpec read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new PlanException("no such model file: " + path);
        }
        try (GgufFile file = GgufFile.open(path)) {
            ModelShape shape = ModelShape.of(file);
            long active = activeParameters(file, shape);
            String name = file.metadata().contains("general.name")
                    ? file.metadata().getString("general.name")
                    : path.getFileName().toString();
            return spec(shape, active, name, path.toString());
        } catch (GgufFormatException e) {
            throw new PlanException(e.getMessage(), e);
        }
    }

    /** A spec from an already-read shape; {@code activeParams} differs from the total only for MoE. */
    static ModelSpec spec(ModelShape shape, long activeParams, String name, String source) {
        return new ModelSpec(name, shape.blockCount(), shape.embeddingLength(), shape.headCount(),
                shape.headCountKv(), shape.keyLength(), shape.valueLength(), shape.vocabSize(),
                shape.parameterCount(), activeParams, shape.expertCount(), shape.expertUsedCount(),
                shape.contextLength(), shape.weightBytes(), source, null);
    }

    /**
     * Parameters one token uses. llama.cpp stores each MoE layer's experts stacked in one tensor
     * named {@code *_exps}; a token touches {@code used / count} of those, and all other tensors.
     */
    private static long activeParameters(GgufFile file, ModelShape shape) {
        if (shape.expertCount() <= 0 || shape.expertUsedCount() <= 0) {
            return shape.parameterCount();
        }
        long expertParams = 0;
        for (GgufTensorInfo t : file.tensors().values()) {
            if (t.name().contains("_exps")) {
                expertParams += t.elementCount();
            }
        }
        long routed = expertParams * shape.expertUsedCount() / shape.expertCount();
        return shape.parameterCount() - expertParams + routed;
    }
}
