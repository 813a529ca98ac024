package ai.sluice.core.model;

import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.WeightMatrix;
import java.util.List;

/**
 * The BERT forward pass over a batch of whole sequences, with no KV cache: attention is
 * bidirectional, so every token of a sequence must be present in the same pass, and nothing is
 * kept after it (an embedding request is one pass). Per layer every projection of all tokens of
 * all sequences is one matrix-matrix product; attention runs per (sequence, head), over that
 * sequence's tokens only, so each token's result depends only on its own sequence (the batch
 * changes nothing, bit for bit, as the kernels are batch invariant).
 *
 * <p>Numerics as llama.cpp's {@code llm_build_bert}: LayerNorm with mean and variance in double;
 * GELU in its tanh form (ggml's {@code gelu}; the exact erf form that Hugging Face's BERT uses
 * differs by under 1e-3 per activation); softmax(QK^T / sqrt(head dim)). Not thread-safe.
 */
public final class BertEncoder {
    private static final int PARALLEL_GRAIN = 1;
    /**
     * Tokens per matrix product: the kernels stream every activation row once per weight row, so
     * activations that stay in L2 (64 x 384..1024 floats) run faster per token than a whole batch
     * of thousands (as {@code LlamaRunner.DEFAULT_MAX_BATCH}); results are the same either way.
     */
    private static final int MATMUL_TOKENS = 64;
    private static final float GELU_COEF_A = 0.044715f;
    private static final float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;

    private final BertModel model;
    private final BertModel.Config cfg;
    private final CpuBackend backend;
    private final WeightMatrix[][] qkvWeights;
    private int capacity;
    private float[] x;
    private float[] q;
    private float[] k;
    private float[] v;
    private float[] att;
    private float[] proj;
    private float[] h;
    private float[] g;
    private float[] fused;
    private int[] positions;
    private float[][] qkv;
    private int[] starts = new int[16];
    private final ThreadLocal<float[]> scores = ThreadLocal.withInitial(() -> new float[512]);

    BertEncoder(BertModel model) {
        this.model = model;
        this.cfg = model.config();
        this.backend = model.backend();
        this.qkvWeights = new WeightMatrix[cfg.layers()][];
        for (int l = 0; l < cfg.layers(); l++) {
            BertModel.Layer w = model.layer(l);
            qkvWeights[l] = w.wqkv() != null ? null : new WeightMatrix[] {w.wq(), w.wk(), w.wv()};
        }
    }

    /** Width of each token's output row. */
    public int hiddenSize() {
        return cfg.dim();
    }

    /**
     * Encodes {@code sequences} (each at most the context length, token ids inside the
     * vocabulary) and writes the final hidden state of token {@code t} of the concatenation to
     * {@code out[t * dim .. (t + 1) * dim)}; returns the number of tokens.
     */
    public int encode(List<int[]> sequences, float[] out) {
        int total = 0;
        if (starts.length < sequences.size() + 1) {
            starts = new int[sequences.size() + 1];
        }
        for (int s = 0; s < sequences.size(); s++) {
            int[] seq = sequences.get(s);
            if (seq.length == 0 || seq.length > cfg.contextLength()) {
                throw new IllegalArgumentException("a sequence must hold 1.." + cfg.contextLength() + " tokens, got "
                        + seq.length);
            }
            starts[s] = total;
            total += seq.length;
        }
        starts[sequences.size()] = total;
        int dim = cfg.dim();
        if (out.length < (long) total * dim) {
            throw new IllegalArgumentException("output of " + out.length + " floats is too short for " + total
                    + " rows of " + dim);
        }
        ensureCapacity(total);
        embed(sequences);
        for (int l = 0; l < cfg.layers(); l++) {
            layer(l, sequences.size(), total);
        }
        System.arraycopy(x, 0, out, 0, total * dim);
        return total;
    }

    private void ensureCapacity(int tokens) {
        if (tokens <= capacity) {
            return;
        }
        int n = Math.max(tokens, capacity * 2);
        int dim = cfg.dim();
        x = new float[n * dim];
        q = new float[n * dim];
        k = new float[n * dim];
        v = new float[n * dim];
        att = new float[n * dim];
        proj = new float[n * dim];
        h = new float[n * cfg.ffn()];
        g = new float[n * cfg.ffn()];
        fused = new float[n * 3 * dim];
        positions = new int[n];
        qkv = new float[][] {q, k, v};
        capacity = n;
    }

    /** x = LayerNorm(token + position + token-type-0 embeddings). */
    private void embed(List<int[]> sequences) {
        int dim = cfg.dim();
        float[] pos = proj; // scratch
        float[] type0 = model.tokenType0();
        BertModel.Norm norm = model.embeddingNorm();
        int vocab = model.vocabSize();
        for (int s = 0; s < sequences.size(); s++) {
            int[] seq = sequences.get(s);
            for (int p = 0; p < seq.length; p++) {
                int t = starts[s] + p;
                if (seq[p] < 0 || seq[p] >= vocab) {
                    throw new IllegalArgumentException("token id " + seq[p] + " outside the vocabulary of " + vocab);
                }
                positions[t] = p;
                model.tokenEmbedding().dequantizeRow(seq[p], x, t * dim);
                if (model.positionEmbedding() != null) {
                    model.positionEmbedding().dequantizeRow(p, pos, 0);
                } else {
                    java.util.Arrays.fill(pos, 0, dim, 0f);
                }
                for (int i = 0; i < dim; i++) {
                    x[t * dim + i] += pos[i] + type0[i];
                }
                layerNorm(x, t * dim, norm, dim, cfg.layerNormEps());
            }
        }
    }

    private void layer(int l, int sequences, int n) {
        BertModel.Layer w = model.layer(l);
        int dim = cfg.dim();
        float eps = cfg.layerNormEps();
        if (w.wqkv() != null) {
            // one fused product, rows Q | K | V, split per token
            matmul(w.wqkv(), x, n, fused);
            for (int t = 0; t < n; t++) {
                for (int m = 0; m < 3; m++) {
                    System.arraycopy(fused, t * 3 * dim + m * dim, qkv[m], t * dim, dim);
                    if (w.bqkv() != null) {
                        for (int i = 0; i < dim; i++) {
                            qkv[m][t * dim + i] += w.bqkv()[m * dim + i];
                        }
                    }
                }
            }
        } else {
            for (int from = 0; from < n; from += MATMUL_TOKENS) {
                int rows = Math.min(MATMUL_TOKENS, n - from);
                for (int m = 0; m < 3; m++) {
                    backend.matmul(qkvWeights[l][m], x, from * dim, rows, qkv[m], from * dim);
                }
            }
            for (int t = 0; t < n; t++) {
                addBias(q, t * dim, w.bq());
                addBias(k, t * dim, w.bk());
                addBias(v, t * dim, w.bv());
            }
        }
        Rope rope = model.rope();
        if (rope != null) {
            for (int t = 0; t < n; t++) {
                rope.apply(q, t * dim, cfg.heads(), cfg.headDim(), positions[t]);
                rope.apply(k, t * dim, cfg.heads(), cfg.headDim(), positions[t]);
            }
        }
        attention(sequences);
        matmul(w.wo(), att, n, proj);
        // x = LayerNorm(x + attn_out(att) + bias): the post-attention norm, BERT's "add & norm"
        for (int t = 0; t < n; t++) {
            int off = t * dim;
            for (int i = 0; i < dim; i++) {
                x[off + i] += proj[off + i];
            }
            addBias(x, off, w.bo());
            layerNorm(x, off, w.attnOutNorm(), dim, eps);
        }
        int ff = cfg.ffn();
        matmul(w.up(), x, n, h);
        float[] upBias = w.upBias();
        if (w.gate() != null) {
            // SwiGLU: silu(gate x) * (up x [+ bias])
            matmul(w.gate(), x, n, g);
            backend.parallelFor(n, 1, (start, end) -> {
                for (int t = start; t < end; t++) {
                    int off = t * ff;
                    for (int i = 0; i < ff; i++) {
                        float gi = g[off + i];
                        float up = upBias != null ? h[off + i] + upBias[i] : h[off + i];
                        h[off + i] = gi / (1f + (float) Math.exp(-gi)) * up;
                    }
                }
            });
        } else {
            backend.parallelFor(n, 1, (start, end) -> {
                for (int t = start; t < end; t++) {
                    int off = t * ff;
                    for (int i = 0; i < ff; i++) {
                        h[off + i] = gelu(h[off + i] + upBias[i]);
                    }
                }
            });
        }
        matmul(w.down(), h, n, proj);
        for (int t = 0; t < n; t++) {
            int off = t * dim;
            for (int i = 0; i < dim; i++) {
                x[off + i] += proj[off + i];
            }
            addBias(x, off, w.downBias());
            layerNorm(x, off, w.layerOutNorm(), dim, eps);
        }
    }

    /** out = W in for {@code n} tokens, {@link #MATMUL_TOKENS} at a time. */
    private void matmul(WeightMatrix w, float[] in, int n, float[] out) {
        for (int from = 0; from < n; from += MATMUL_TOKENS) {
            backend.matmul(w, in, from * w.cols(), Math.min(MATMUL_TOKENS, n - from), out, from * w.rows());
        }
    }

    /** Every token attends to every token of its own sequence: softmax(q . k / sqrt(hd)) v per head. */
    private void attention(int sequences) {
        int heads = cfg.heads();
        int hd = cfg.headDim();
        int dim = cfg.dim();
        float scale = (float) (1.0 / Math.sqrt(hd));
        backend.parallelFor(sequences * heads, PARALLEL_GRAIN, (start, end) -> {
            for (int task = start; task < end; task++) {
                int s = task / heads;
                int head = task % heads;
                int from = starts[s];
                int len = starts[s + 1] - from;
                float[] sc = scoreBuffer(len);
                for (int i = 0; i < len; i++) {
                    int qOff = (from + i) * dim + head * hd;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < len; j++) {
                        int kOff = (from + j) * dim + head * hd;
                        float dot = 0;
                        for (int d = 0; d < hd; d++) {
                            dot += q[qOff + d] * k[kOff + d];
                        }
                        sc[j] = dot * scale;
                        max = Math.max(max, sc[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < len; j++) {
                        float e = (float) Math.exp(sc[j] - max);
                        sc[j] = e;
                        sum += e;
                    }
                    float inv = (float) (1.0 / sum);
                    int oOff = (from + i) * dim + head * hd;
                    for (int d = 0; d < hd; d++) {
                        att[oOff + d] = 0;
                    }
                    for (int j = 0; j < len; j++) {
                        float p = sc[j] * inv;
                        int vOff = (from + j) * dim + head * hd;
                        for (int d = 0; d < hd; d++) {
                            att[oOff + d] += p * v[vOff + d];
                        }
                    }
                }
            }
        });
    }

    private float[] scoreBuffer(int len) {
        float[] s = scores.get();
        if (s.length < len) {
            s = new float[Math.max(len, s.length * 2)];
            scores.set(s);
        }
        return s;
    }

    /** a[off..] += bias; a null bias is none. */
    private static void addBias(float[] a, int off, float[] bias) {
        if (bias == null) {
            return;
        }
        for (int i = 0; i < bias.length; i++) {
            a[off + i] += bias[i];
        }
    }

    /** In place: (x - mean) / sqrt(var + eps) * weight + bias, mean and variance summed in double. */
    static void layerNorm(float[] a, int off, BertModel.Norm norm, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[off + i];
        }
        float mean = (float) (sum / n);
        double sq = 0;
        for (int i = 0; i < n; i++) {
            float d = a[off + i] - mean;
            a[off + i] = d;
            sq += (double) d * d;
        }
        float scale = 1f / (float) Math.sqrt((float) (sq / n) + eps);
        float[] w = norm.weight();
        float[] b = norm.bias();
        for (int i = 0; i < n; i++) {
            a[off + i] = a[off + i] * scale * w[i] + b[i];
        }
    }

    /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    static float gelu(float x) {
        return 0.5f * x * (1f + (float) Math.tanh(SQRT_2_OVER_PI * x * (1f + GELU_COEF_A * x * x)));
    }
}
