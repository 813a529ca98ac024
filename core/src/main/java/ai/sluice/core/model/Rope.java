package ai.sluice.core.model;

import ai.sluice.core.tensor.RopeTable;

/**
 * Rotary position embedding. Pair {@code i} (of {@code dims / 2}) of a head turns by
 * {@code theta = position / scale * base^(-2i / dims) / freqFactor[i]}; which two elements form
 * pair {@code i} depends on the {@link RopeType}. Elements past {@code dims} are left alone. The
 * rotation itself is the backends' ({@link RopeTable}).
 */
final class Rope {
    private final RopeTable table;

    Rope(RopeType type, int dims, float base, float scale, float[] freqFactors) {
        if (freqFactors != null && freqFactors.length < dims / 2) {
            throw new UnsupportedModelException("rope_freqs.weight has " + freqFactors.length
                    + " factors, RoPE needs " + dims / 2);
        }
        double[] invFreq = new double[dims / 2];
        for (int i = 0; i < dims / 2; i++) {
            double f = Math.pow(base, -2.0 * i / dims) / scale;
            if (freqFactors != null) {
                f /= freqFactors[i];
            }
            invFreq[i] = f;
        }
        this.table = new RopeTable(type == RopeType.NORMAL, dims, invFreq);
    }

    /** What a backend applies. */
    RopeTable table() {
        return table;
    }

    /** Rotates {@code heads} consecutive heads of width {@code headDim} starting at {@code x[off]}. */
    void apply(float[] x, int off, int heads, int headDim, int position) {
        table.apply(x, off, heads, headDim, position);
    }
}
