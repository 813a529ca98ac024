package ai.sluice.core.tensor;

/**
 * The head layout of a layer's attention: {@code heads} query heads of {@code headDim}, grouped over
 * {@code kvHeads} K/V heads (grouped-query attention: query head {@code h} reads K/V head
 * {@code h / (heads / kvHeads)}), V heads of {@code valueHeadDim}. Scores are scaled by
 * {@code 1 / sqrt(headDim)}.
 */
public record AttentionShape(int heads, int kvHeads, int headDim, int valueHeadDim) {
    public AttentionShape {
        if (heads <= 0 || kvHeads <= 0 || headDim <= 0 || valueHeadDim <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("attention shape: " + heads + " heads over " + kvHeads
                    + " KV heads of " + headDim + "/" + valueHeadDim);
        }
    }

    /** Floats of one row's queries ({@code heads x headDim}). */
    public int queryDim() {
        return heads * headDim;
    }

    /** Floats of one row's attention output ({@code heads x valueHeadDim}). */
    public int outputDim() {
        return heads * valueHeadDim;
    }
}
