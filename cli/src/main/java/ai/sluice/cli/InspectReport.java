package ai.sluice.cli;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufFormatException;
import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.gguf.GgufTensorInfo;
import ai.sluice.core.gguf.GgufValue;
import ai.sluice.core.model.ModelShape;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code sluice inspect} reports about a GGUF file; serialised as is for {@code --json}.
 * Fields the file does not have are null (and left out of the JSON).
 *
 * @param file the path as given
 * @param fileBytes file size
 * @param ggufVersion GGUF format version
 * @param alignment tensor data alignment
 * @param architecture {@code general.architecture}
 * @param name {@code general.name}
 * @param fileType {@code general.file_type} (llama.cpp's LLAMA_FTYPE number)
 * @param shape the model's architecture numbers, null when the metadata lacks them (vocab-only files)
 * @param shapeProblem why {@code shape} is null
 * @param parameters total tensor elements
 * @param tensorCount number of tensors
 * @param tensorTypes tensors grouped by element type, largest first
 * @param tensorBytes bytes of tensor data
 * @param weightMemoryBytes memory the weights take when loaded (mmap'd as stored, so the tensor bytes)
 * @param kvCacheBytesPerToken KV cache per token of context, all layers, at F16 and F32
 * @param rope RoPE settings
 * @param tokenizer tokenizer settings
 * @param metadata every metadata entry (only with {@code --metadata})
 * @param tensors every tensor (only with {@code --tensors})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record InspectReport(String file, long fileBytes, int ggufVersion, long alignment, String architecture, String name,
                     Integer fileType, ModelShape shape, String shapeProblem, long parameters, int tensorCount,
                     List<TypeStats> tensorTypes, long tensorBytes, long weightMemoryBytes, KvCache kvCacheBytesPerToken,
                     Rope rope, Tokenizer tokenizer, Map<String, String> metadata, List<Tensor> tensors) {

    /** Tensors of one element type. */
    record TypeStats(GgmlType type, int tensors, long parameters, long bytes) {
    }

    /** KV-cache bytes for one token, across all layers (K and V). */
    record KvCache(long f16, long f32) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Rope(Integer dimensionCount, Float freqBase, String scalingType, Float scalingFactor) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Tokenizer(String model, String pre, Integer vocabSize, Integer bosTokenId, Integer eosTokenId) {
    }

    record Tensor(String name, GgmlType type, long[] shape, long bytes) {
    }

    static InspectReport of(String fileName, GgufFile f, boolean withMetadata, boolean withTensors) {
        GgufMetadata md = f.metadata();
        String arch = md.findString("general.architecture").orElse(null);
        String p = arch + ".";

        ModelShape shape = null;
        String shapeProblem = null;
        if (arch == null) {
            shapeProblem = "no general.architecture";
        } else {
            try {
                shape = ModelShape.of(f);
            } catch (GgufFormatException e) {
                shapeProblem = e.getMessage();
            }
        }

        Map<GgmlType, long[]> byType = new EnumMap<>(GgmlType.class); // type -> {tensors, parameters, bytes}
        long params = 0;
        List<Tensor> tensors = withTensors ? new ArrayList<>() : null;
        for (GgufTensorInfo t : f.tensors().values()) {
            long[] s = byType.computeIfAbsent(t.type(), k -> new long[3]);
            s[0]++;
            s[1] += t.elementCount();
            s[2] += t.byteSize();
            params += t.elementCount();
            if (tensors != null) {
                tensors.add(new Tensor(t.name(), t.type(), t.shape(), t.byteSize()));
            }
        }
        List<TypeStats> types = new ArrayList<>();
        byType.forEach((type, s) -> types.add(new TypeStats(type, (int) s[0], s[1], s[2])));
        types.sort(Comparator.comparingLong(TypeStats::bytes).reversed());

        Rope rope = null;
        if (arch != null) {
            rope = new Rope(intOrNull(md, p + "rope.dimension_count"), floatOrNull(md, p + "rope.freq_base"),
                    md.contains(p + "rope.scaling.type") ? md.getString(p + "rope.scaling.type") : null,
                    floatOrNull(md, p + "rope.scaling.factor"));
        }
        Integer vocab = shape != null && shape.vocabSize() > 0 ? Integer.valueOf(shape.vocabSize())
                : md.contains("tokenizer.ggml.tokens") ? md.get("tokenizer.ggml.tokens").orElseThrow().arrayLength()
                : null;
        Tokenizer tokenizer = new Tokenizer(md.findString("tokenizer.ggml.model").orElse(null),
                md.findString("tokenizer.ggml.pre").orElse(null), vocab,
                intOrNull(md, "tokenizer.ggml.bos_token_id"), intOrNull(md, "tokenizer.ggml.eos_token_id"));

        Map<String, String> all = null;
        if (withMetadata) {
            all = new LinkedHashMap<>();
            for (Map.Entry<String, GgufValue> e : md.asMap().entrySet()) {
                all.put(e.getKey(), e.getValue().toString());
            }
        }
        KvCache kv = shape == null ? null : new KvCache(shape.kvBytesPerToken(2), shape.kvBytesPerToken(4));
        return new InspectReport(fileName, f.fileSize(), f.version(), f.alignment(), arch,
                md.findString("general.name").orElse(null), intOrNull(md, "general.file_type"), shape, shapeProblem,
                params, f.tensors().size(), types, f.tensorBytes(), f.tensorBytes(), kv, rope, tokenizer, all,
                tensors);
    }

    private static Integer intOrNull(GgufMetadata md, String key) {
        return md.contains(key) ? Integer.valueOf(md.getInt(key)) : null;
    }

    private static Float floatOrNull(GgufMetadata md, String key) {
        return md.contains(key) ? Float.valueOf(md.getFloat(key)) : null;
    }
}
