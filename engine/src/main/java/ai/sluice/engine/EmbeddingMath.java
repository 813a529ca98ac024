package ai.sluice.engine;

/** Vector arithmetic of embeddings, shared by the engine and whoever post-processes its vectors. */
public final class EmbeddingMath {
    private EmbeddingMath() {
    }

    /**
     * {@code v} scaled in place to unit L2 norm (sum of squares in double), and returned; a zero
     * vector stays zero, as torch's {@code F.normalize} leaves it.
     */
    public static float[] l2Normalized(float[] v) {
        double ss = 0;
        for (float x : v) {
            ss += (double) x * x;
        }
        if (ss == 0) {
            return v;
        }
        double inv = 1.0 / Math.sqrt(ss);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (v[i] * inv);
        }
        return v;
    }
}
