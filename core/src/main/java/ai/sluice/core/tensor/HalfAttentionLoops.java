package ai.sluice.core.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The two loops of {@link HalfAttention} that touch every cached position's K or V row: the
 * scores, and the weighted sum of the value rows with its F16 accumulator. In Java ({@link
 * JavaAttentionLoops}, the portable path and the reference) or in C ({@link NativeAttentionLoops},
 * where the native library loads and {@code --kernels} allows); both give the same bits. The
 * softmax between them stays in {@link HalfAttention}, shared.
 */
sealed interface HalfAttentionLoops permits JavaAttentionLoops, NativeAttentionLoops {

    /**
     * {@code scores[t] = (qh . K_t) * scale} for {@code t < len}: {@code qh[0 .. n)} already rounded
     * to F16, K_t the {@code n} halves at {@code kOff} of row {@code slots[t]} of {@code keys}
     * (rows of {@code keyDim} halves); summed in {@link HalfAttention}'s order.
     */
    void scores(MemorySegment keys, int keyDim, int[] slots, int len, int kOff, float[] qh, int n, float scale,
            float[] scores);

    /**
     * {@code out[outOff .. outOff + vn)} = the F16 accumulator after every position: from zero, per
     * position {@code t}, {@code acc = f16(acc * rescale[t])} where {@code rescale[t] != 1}, then
     * {@code acc = f16(fma(V_t[i], weight[t], acc))}; V_t the halves at {@code vOff} of row
     * {@code slots[t]} of {@code values}.
     */
    void values(MemorySegment values, int valueDim, int[] slots, int len, int vOff, float[] rescale,
            float[] weight, float[] out, int outOff, int vn);
}
