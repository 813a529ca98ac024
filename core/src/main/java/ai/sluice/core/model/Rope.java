package ai.sluice.core.model;

/**
 * Rotary position embedding. Pair {@code i} (of {@code dims / 2}) of a head turns by
 * {@code theta = position / scale * base^(-2i / dims) / freqFactor[i]}; which two elements form
 * pair {@code i} depends on the {@link RopeType}. Elements past {@code dims} are left alone.
 */
final class Rope {
    private final RopeType type;
    private final int dims;
    private final double[] invFreq;

    Rope(RopeType type, int dims, float base, float scale, float[] freqFactors) {
        if (freqFactors != null && freqFactors.length < dims / 2) {
            throw new UnsupportedModelException("rope_freqs.weight has " + freqFactors.length
                    + " factors, RoPE needs " + dims / 2);
        }
        this.type = type;
        this.dims = dims;
        this.invFreq = new double[dims / 2];
        for (int i = 0; i < dims / 2; i++) {
            double f = Math.pow(base, -2.0 * i / dims) / scale;
            if (freqFactors != null) {
                f /= freqFactors[i];
            }
            invFreq[i] = f;
        }
    }

    /** Rotates {@code heads} consecutive heads of width {@code headDim} starting at {@code x[off]}. */
    void apply(float[] x, int off, int heads, int headDim, int position) {
        int half = dims / 2;
        for (int i = 0; i < half; i++) {
            double theta = position * invFreq[i];
            float cos = (float) Math.cos(theta);
            float sin = (float) Math.sin(theta);
            int a = type == RopeType.NORMAL ? 2 * i : i;
            int b = type == RopeType.NORMAL ? 2 * i + 1 : i + half;
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
