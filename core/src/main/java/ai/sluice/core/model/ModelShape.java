package ai.sluice.core.model;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufMetadata;
import ai.sluice.core.gguf.GgufTensorInfo;

/**
 * The architecture-level numbers of a transformer, read from GGUF metadata: enough to size weights
 * and the KV cache (inspect, plan) without loading any weight.
 *
 * @param architecture {@code general.architecture}, e.g. llama, qwen2, qwen3
 * @param contextLength trained context length
 * @param embeddingLength model width (dim)
 * @param blockCount number of transformer layers
 * @param feedForwardLength FFN hidden width
 * @param headCount query heads
 * @param headCountKv key/value heads (grouped-query attention when fewer than headCount)
 * @param keyLength per-head key width
 * @param valueLength per-head value width
 * @param vocabSize number of tokens
 * @param expertCount experts per MoE layer (0 for dense models)
 * @param expertUsedCount experts active per token (0 for dense models)
 * @param parameterCount total elements of all tensors
 * @param weightBytes total bytes of tensor data
 */
public record ModelShape(String architecture, int contextLength, int embeddingLength, int blockCount,
                         int feedForwardLength, int headCount, int headCountKv, int keyLength, int valueLength,
                         int vocabSize, int expertCount, int expertUsedCount, long parameterCount,
                         long weightBytes) {

    /** Reads the shape of the model in {@code file}; a missing required key names the key. */
    public static ModelShape of(GgufFile file) {
        GgufMetadata md = file.metadata();
        String arch = md.getString("general.architecture");
        String p = arch + ".";
        int dim = md.getInt(p + "embedding_length");
        int heads = md.getInt(p + "attention.head_count");
        int kvHeads = md.getInt(p + "attention.head_count_kv", heads);
        int keyLength = md.getInt(p + "attention.key_length", heads > 0 ? dim / heads : 0);
        int valueLength = md.getInt(p + "attention.value_length", keyLength);
        int vocab = md.contains(p + "vocab_size") ? md.getInt(p + "vocab_size")
                : md.contains("tokenizer.ggml.tokens") ? md.getStringArray("tokenizer.ggml.tokens").length : 0;
        long params = 0;
        for (GgufTensorInfo t : file.tensors().values()) {
            params += t.elementCount();
        }
        return new ModelShape(arch,
                md.getInt(p + "context_length", 0),
                dim,
                md.getInt(p + "block_count"),
                md.getInt(p + "feed_forward_length", 0),
                heads, kvHeads, keyLength, valueLength, vocab,
                md.getInt(p + "expert_count", 0),
                md.getInt(p + "expert_used_count", 0),
                params,
                file.tensorBytes());
    }

    /** Width of the K (or V) projection output: kv heads x head width. */
    public int kvDim() {
        return headCountKv * keyLength;
    }

    /** Bytes of KV cache one token needs across all layers, at {@code bytesPerElement} (4 F32, 2 F16). */
    public long kvBytesPerToken(double bytesPerElement) {
        return (long) Math.ceil((double) blockCount * headCountKv * (keyLength + valueLength) * bytesPerElement);
    }
}
