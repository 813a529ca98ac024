package ai.sluice.cuda.check;

import ai.sluice.core.model.RopeType;

/**
 * What each CUDA kernel should compute, in Java, in double where rounding matters: the yardstick of
 * {@link DeviceCheck}. Where a kernel rounds on purpose (activations to int8 before a Q8_0/Q4_0
 * product, K/V to f16 in an F16 cache), the reference rounds the same way first, so that what is
 * left to compare is the kernel's own arithmetic.
 */
final class CpuReference {
    private CpuReference() {
    }

    /** RMSNorm of each row: x / sqrt(mean(x^2) + eps) * w. */
    static double[] rmsNorm(float[] x, float[] w, int rows, int dim, float eps) {
        double[] out = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < dim; i++) {
                ss += (double) x[r * dim + i] * x[r * dim + i];
            }
            double scale = 1.0 / Math.sqrt(ss / dim + eps);
            for (int i = 0; i < dim; i++) {
                out[r * dim + i] = x[r * dim + i] * scale * w[i];
            }
        }
        return out;
    }

    /** RoPE as core's Rope applies it, each row at its own position. */
    static double[] rope(float[] x, int[] positions, double[] invFreq, int heads, int headDim, int ropeDims,
            RopeType type) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        int half = ropeDims / 2;
        for (int r = 0; r < positions.length; r++) {
            for (int h = 0; h < heads; h++) {
                int base = (r * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    double theta = positions[r] * invFreq[i];
                    double c = Math.cos(theta);
                    double s = Math.sin(theta);
                    int a = type == RopeType.NORMAL ? 2 * i : i;
                    int b = type == RopeType.NORMAL ? 2 * i + 1 : i + half;
                    double x0 = x[base + a];
                    double x1 = x[base + b];
                    out[base + a] = x0 * c - x1 * s;
                    out[base + b] = x0 * s + x1 * c;
                }
            }
        }
        return out;
    }

    static double[] swiglu(float[] gate, float[] up) {
        double[] out = new double[gate.length];
        for (int i = 0; i < gate.length; i++) {
            double g = gate[i];
            out[i] = g / (1 + Math.exp(-g)) * up[i];
        }
        return out;
    }

    static double[] add(float[] x, float[] y) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (double) x[i] + y[i];
        }
        return out;
    }

    /** x quantized as the kernel (and core's Int8Activations) does it: quants and f16-rounded scales. */
    record Quantized(byte[] quants, float[] scales) {
        /** The values the quantized vector stands for: q * d, exact in float. */
        float[] dequantized() {
            float[] v = new float[quants.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = quants[i] * scales[i / 32];
            }
            return v;
        }
    }

    static Quantized quantize(float[] x) {
        byte[] q = new byte[x.length];
        float[] d = new float[x.length / 32];
        for (int b = 0; b < d.length; b++) {
            float amax = 0f;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            }
            float inverse = amax != 0f ? 127f / amax : 0f;
            for (int j = 0; j < 32; j++) {
                q[b * 32 + j] = (byte) Math.rint(x[b * 32 + j] * inverse);
            }
            d[b] = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        }
        return new Quantized(q, d);
    }

    static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /**
     * Causal attention of one (entry, head): softmax(q . k_t / sqrt(headDim)) over {@code t < len}
     * times v_t, K and V rows given per position (already rounded as the cache stores them).
     */
    static double[] attention(float[] q, int qOff, float[][] keys, float[][] values, int kOff, int vOff, int len,
            int headDim, int valueHeadDim) {
        double[] s = new double[len];
        double max = Double.NEGATIVE_INFINITY;
        double scale = 1.0 / Math.sqrt(headDim);
        for (int t = 0; t < len; t++) {
            s[t] = dot(q, qOff, keys[t], kOff, headDim) * scale;
            max = Math.max(max, s[t]);
        }
        double sum = 0;
        for (int t = 0; t < len; t++) {
            s[t] = Math.exp(s[t] - max);
            sum += s[t];
        }
        double[] out = new double[valueHeadDim];
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < valueHeadDim; i++) {
                out[i] += s[t] / sum * values[t][vOff + i];
            }
        }
        return out;
    }

    /** ||got - want|| / ||want||; NaN where an element of got is not finite (unwritten or broken). */
    static double relativeError(float[] got, double[] want) {
        if (got.length != want.length) {
            throw new IllegalArgumentException(got.length + " results for " + want.length + " references");
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < got.length; i++) {
            if (!Float.isFinite(got[i])) {
                return Double.NaN;
            }
            double d = got[i] - want[i];
            num += d * d;
            den += want[i] * want[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /** How many elements are NaN (the poison a kernel did not overwrite, or a NaN it made). */
    static int nans(float[] got) {
        int n = 0;
        for (float v : got) {
            if (Float.isNaN(v)) {
                n++;
            }
        }
        return n;
    }
}
