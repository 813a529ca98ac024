package ai.sluice.plan;

/**
 * The numbers of a transformer that sizing needs, from a catalog entry or a GGUF file.
 *
 * @param name display name
 * @param layers transformer blocks
 * @param hidden model width
 * @param heads query heads (tensor parallelism must divide them)
 * @param kvHeads key/value heads (fewer than {@code heads} under grouped-query attention)
 * @param keyLength per-head key width
 * @param valueLength per-head value width
 * @param vocab vocabulary size
 * @param totalParams every parameter, all experts included: what memory must hold
 * @param activeParams parameters one token passes through: what compute and decode reads cost
 * @param experts experts per MoE layer, 0 for dense models
 * @param expertsActive experts each token is routed to, 0 for dense models
 * @param contextLength trained context length
 * @param fileWeightBytes exact bytes of tensor data when read from a file, else 0
 * @param source where the numbers come from (URL or file path)
 * @param date when the source was read
 */
public record ModelSpec(String name, int layers, int hidden, int heads, int kvHeads, int keyLength,
                        int valueLength, int vocab, long totalParams, long activeParams, int experts,
                        int expertsActive, int contextLength, long fileWeightBytes, String source, String date) {

    public ModelSpec {
        require(layers > 0, name, "layers");
        require(heads > 0, name, "heads");
        require(kvHeads > 0 && kvHeads <= heads, name, "kv heads (1..heads)");
        require(keyLength > 0 && valueLength > 0, name, "head dim");
        require(totalParams > 0, name, "parameter count");
        require(activeParams > 0 && activeParams <= totalParams, name, "active parameters (<= total)");
        require(experts >= 0 && expertsActive >= 0 && expertsActive <= experts, name, "experts");
    }

    private static void require(boolean ok, String model, String what) {
        if (!ok) {
            throw new PlanException("model '" + model + "' has an invalid " + what);
        }
    }

    public boolean isMoe() {
        return experts > 0 && expertsActive < experts;
    }

    /** K and V elements one token adds to the cache across all layers (no parallelism). */
    public long kvElementsPerToken() {
        return (long) layers * kvHeads * (keyLength + valueLength);
    }

    /** KV cache bytes per token on a single device: 2 x layers x kv heads x head dim x element bytes. */
    public long kvBytesPerToken(KvPrecision type) {
        return (long) Math.ceil(kvElementsPerToken() * type.bytesPerElement());
    }

    /**
     * KV heads each tensor-parallel shard stores. Heads split evenly while {@code tp <= kvHeads};
     * beyond that every shard still needs a whole head for its query heads, so heads are
     * replicated: Qwen3-235B (4 KV heads) at TP 8 stores each head on two shards.
     */
    public int kvHeadsPerShard(int tp) {
        return Math.ceilDiv(kvHeads, tp);
    }

    /** KV cache bytes per token held by one shard at tensor-parallel degree {@code tp}. */
    public long kvBytesPerTokenPerShard(KvPrecision type, int tp) {
        return (long) Math.ceil((double) layers * kvHeadsPerShard(tp) * (keyLength + valueLength)
                * type.bytesPerElement());
    }

    /** Stored KV over logical KV at {@code tp}: 1 while heads split evenly, 2 for 4 heads at TP 8. */
    public double kvDuplication(int tp) {
        return (double) tp * kvHeadsPerShard(tp) / kvHeads;
    }

    /**
     * Parameters that live in routed experts. From total = dense + experts and
     * active = dense + experts x (used / count): experts = (total - active) / (1 - used / count).
     */
    public long expertParams() {
        if (!isMoe()) {
            return 0;
        }
        double routedFraction = (double) expertsActive / experts;
        return Math.round((totalParams - activeParams) / (1.0 - routedFraction));
    }

    /** Weight bytes at {@code precision}, or the file's exact bytes when precision is null. */
    public long weightBytes(Precision precision) {
        if (precision == null) {
            if (fileWeightBytes <= 0) {
                throw new PlanException("model '" + name + "' has no file; give PlanRequest.precision");
            }
            return fileWeightBytes;
        }
        return precision.bytesFor(totalParams);
    }
}
