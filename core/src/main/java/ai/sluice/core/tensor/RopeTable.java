package ai.sluice.core.tensor;

/**
 * The rotary position embedding a model uses, as the backends apply it: pair {@code i} (of
 * {@code dims / 2}) of a head turns by {@code theta = position * invFreq[i]}; the pair is elements
 * {@code (2i, 2i + 1)} ({@code adjacentPairs}, llama's "normal" RoPE) or {@code (i, i + dims / 2)}
 * (NeoX). Elements past {@code dims} are left alone. The model computes the frequencies
 * ({@code core.model.Rope}); {@link #apply} is the CPU's rotation and the reference for others.
 */
public final class RopeTable {
    private final boolean adjacentPairs;
    private final int dims;
    private final double[] invFreq;

    public RopeTable(boolean adjacentPairs, int dims, double[] invFreq) {
        if (invFreq.length != dims / 2) {
            throw new IllegalArgumentException("RoPE over " + dims + " dims needs " + dims / 2
                    + " frequencies, got " + invFreq.length);
        }
        this.adjacentPairs = adjacentPairs;
        this.dims = dims;
        this.invFreq = invFreq.clone();
    }

    public boolean adjacentPairs() {
        return adjacentPairs;
    }

    public int dims() {
        return dims;
    }

    /** Frequency of pair {@code i}: radians per position. */
    public double invFreq(int i) {
        return invFreq[i];
    }

    /** Rotates {@code heads} consecutive heads of width {@code headDim} starting at {@code x[off]}. */
    public void apply(float[] x, int off, int heads, int headDim, int position) {
        int half = dims / 2;
        for (int i = 0; i < half; i++) {
            double theta = position * invFreq[i];
            float cos = (float) Math.cos(theta);
            float sin = (float) Math.sin(theta);
            int a = adjacentPairs ? 2 * i : i;
            int b = adjacentPairs ? 2 * i + 1 : i + half;
            for (int h = 0; h < heads; h++) {
                int base = off + h * headDim;
                float x0 = x[base + a];
                float x1 = x[base + b];
                x[base + a] = x0 * cos - x1 * sin;
                x[base + b] = x0 * sin + x1 * cos;
            }
        }
    }
}
