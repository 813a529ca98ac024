package ai.sluice.core.model;

import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.VectorMath;
import ai.sluice.core.tensor.WeightMatrix;
import java.util.List;

/**
 * Batched forward passes over a {@link KvCacheMemory}, with scratch buffers reused across calls.
 *
 * <p>One call takes entries of several sequences and several consecutive positions of one
 * sequence (a prefill chunk). Per layer, every projection of all entries is one matrix-matrix
 * product (each weight row read once per step); K and V of all entries are written to their
 * slots before attention, so an entry sees the earlier positions of its own sequence whether they
 * came from earlier calls or from this one. Each entry's result depends only on its own sequence
 * (batch invariance). Batches larger than {@code maxBatch} run as consecutive steps.
 *
 * <p>Not thread-safe: one forward pass per thread (the kernels inside are parallel).
 */
public final class ForwardPass {
    /** Attention work (multiply-adds) below which splitting over threads costs more than it saves. */
    private static final long PARALLEL_ATTENTION_WORK = 64 * 1024;

    private final LlamaModel model;
    /** SwiGLU elements per parallel chunk: an exp costs ~20 ns, so a chunk is tens of microseconds. */
    private static final int SWIGLU_GRAIN = 2048;

    private final ModelConfig cfg;
    private final Backend backend;
    private final int maxBatch;
    private final float[] x;
    private final float[] xb;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] att;
    private final float[] proj;
    private final float[] hb;
    private final float[] hb2;
    /** Outputs of the fused projections: q, k, v of the attention block; gate, up of the feed-forward. */
    private final float[][] qkv;
    private final float[][] gateUp;
    /** Per layer, the matrices each fused projection multiplies. */
    private final WeightMatrix[][] qkvWeights;
    private final WeightMatrix[][] gateUpWeights;
    private final ThreadLocal<float[]> scores = ThreadLocal.withInitial(() -> new float[256]);
    /** Attention over an F16 cache, as llama.cpp computes it (fidelity). */
    private final HalfAttention halfAttention = new HalfAttention();

    ForwardPass(LlamaModel model, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.model = model;
        this.cfg = model.config();
        this.backend = model.backend();
        this.maxBatch = maxBatch;
        int dim = cfg.dim();
        int ff = model.layer(0).gate().rows();
        this.x = new float[maxBatch * dim];
        this.xb = new float[maxBatch * dim];
        this.q = new float[maxBatch * cfg.queryDim()];
        this.k = new float[maxBatch * cfg.keyDim()];
        this.v = new float[maxBatch * cfg.valueDim()];
        this.att = new float[maxBatch * cfg.heads() * cfg.valueHeadDim()];
        this.proj = new float[maxBatch * dim];
        this.hb = new float[maxBatch * ff];
        this.hb2 = new float[maxBatch * ff];
        this.qkv = new float[][] {q, k, v};
        this.gateUp = new float[][] {hb, hb2};
        this.qkvWeights = new WeightMatrix[cfg.layers()][];
        this.gateUpWeights = new WeightMatrix[cfg.layers()][];
        for (int l = 0; l < cfg.layers(); l++) {
            LayerWeights w = model.layer(l);
            qkvWeights[l] = new WeightMatrix[] {w.wq(), w.wk(), w.wv()};
            gateUpWeights[l] = new WeightMatrix[] {w.gate(), w.up()};
        }
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Runs {@code batch} and returns a new array of the logits of the entries that want them, in order. */
    public float[] forward(List<BatchEntry> batch, KvCacheMemory kv) {
        int wanting = 0;
        for (int i = 0, n = batch.size(); i < n; i++) {
            if (batch.get(i).wantsLogits()) {
                wanting++;
            }
        }
        float[] logits = new float[wanting * model.vocabSize()];
        forward(batch, kv, logits);
        return logits;
    }

    /**
     * Runs {@code batch}, writing the logits of the {@code i}-th entry that wants them to
     * {@code logits[i * vocab .. (i + 1) * vocab)}. Returns how many logit rows were written.
     */
    public int forward(List<BatchEntry> batch, KvCacheMemory kv, float[] logits) {
        return forward(batch, kv, logits, null);
    }

    /**
     * As {@link #forward(List, KvCacheMemory, float[])}; when {@code hidden} is not null it also
     * receives every entry's final hidden state after the output norm (what embeddings pool):
     * entry {@code i} at {@code hidden[i * dim .. (i + 1) * dim)}.
     */
    public int forward(List<BatchEntry> batch, KvCacheMemory kv, float[] logits, float[] hidden) {
        checkPool(kv);
        if (hidden != null && hidden.length < (long) batch.size() * cfg.dim()) {
            throw new IllegalArgumentException("hidden buffer of " + hidden.length + " floats is too short for "
                    + batch.size() + " rows of " + cfg.dim());
        }
        int vocab = model.vocabSize();
        int written = 0;
        for (int from = 0; from < batch.size(); from += maxBatch) {
            int n = Math.min(maxBatch, batch.size() - from);
            written += step(batch, from, n, kv, logits, written * vocab, hidden);
        }
        return written;
    }

    private void checkPool(KvCacheMemory kv) {
        if (kv.layers() != cfg.layers() || kv.keyDim() != cfg.keyDim() || kv.valueDim() != cfg.valueDim()) {
            throw new IllegalArgumentException("KV pool (" + kv.layers() + " layers, widths " + kv.keyDim() + "/"
                    + kv.valueDim() + ") does not fit the model (" + cfg.layers() + " layers, widths "
                    + cfg.keyDim() + "/" + cfg.valueDim() + ")");
        }
    }

    /** One step over entries [from, from + n); returns the number of logit rows written at logitsOff. */
    private int step(List<BatchEntry> batch, int from, int n, KvCacheMemory kv, float[] logits, int logitsOff,
                     float[] hidden) {
        int dim = cfg.dim();
        int vocab = model.vocabSize();
        for (int e = 0; e < n; e++) {
            BatchEntry entry = batch.get(from + e);
            if (entry.token() < 0 || entry.token() >= model.tokenEmbedding().rows()) {
                throw new IllegalArgumentException("token id " + entry.token() + " outside the vocabulary of "
                        + model.tokenEmbedding().rows());
            }
            model.tokenEmbedding().dequantizeRow(entry.token(), x, e * dim);
        }
        for (int l = 0; l < cfg.layers(); l++) {
            layer(l, batch, from, n, kv);
        }
        if (hidden != null) { // embeddings: the normed final state of every entry
            for (int e = 0; e < n; e++) {
                rmsNorm(x, e * dim, model.outputNorm(), hidden, (from + e) * dim, dim, cfg.rmsEps());
            }
        }
        int rows = 0;
        for (int e = 0; e < n; e++) {
            if (batch.get(from + e).wantsLogits()) {
                rmsNorm(x, e * dim, model.outputNorm(), xb, rows * dim, dim, cfg.rmsEps());
                rows++;
            }
        }
        if (rows > 0) {
            if (logits.length < logitsOff + (long) rows * vocab) {
                throw new IllegalArgumentException("logits buffer of " + logits.length + " floats is too short for "
                        + (logitsOff / vocab + rows) + " rows of " + vocab);
            }
            backend.matmul(model.output(), xb, 0, rows, logits, logitsOff);
        }
        return rows;
    }

    private void layer(int l, List<BatchEntry> batch, int from, int n, KvCacheMemory kv) {
        LayerWeights w = model.layer(l);
        int dim = cfg.dim();
        int qDim = cfg.queryDim();
        int kDim = cfg.keyDim();
        int vDim = cfg.valueDim();
        int hd = cfg.headDim();
        float eps = cfg.rmsEps();

        // attention block: xb = norm(x); q, k, v = projections of all entries at once
        for (int e = 0; e < n; e++) {
            rmsNorm(x, e * dim, w.attnNorm(), xb, e * dim, dim, eps);
        }
        backend.matmulEach(qkvWeights[l], xb, n, qkv);
        for (int e = 0; e < n; e++) {
            if (w.qBias() != null) {
                addInPlace(q, e * qDim, w.qBias(), qDim);
                addInPlace(k, e * kDim, w.kBias(), kDim);
                addInPlace(v, e * vDim, w.vBias(), vDim);
            }
            if (w.qNorm() != null) {
                for (int h = 0; h < cfg.heads(); h++) {
                    rmsNorm(q, e * qDim + h * hd, w.qNorm(), q, e * qDim + h * hd, hd, eps);
                }
                for (int h = 0; h < cfg.kvHeads(); h++) {
                    rmsNorm(k, e * kDim + h * hd, w.kNorm(), k, e * kDim + h * hd, hd, eps);
                }
            }
            BatchEntry entry = batch.get(from + e);
            model.rope().apply(q, e * qDim, cfg.heads(), hd, entry.position());
            model.rope().apply(k, e * kDim, cfg.kvHeads(), hd, entry.position());
            kv.write(l, entry.slots().slot(entry.position()), k, e * kDim, v, e * vDim);
        }
        attention(l, batch, from, n, kv);
        backend.matmul(w.wo(), att, n, proj);
        addInPlace(x, 0, proj, n * dim);

        // feed-forward block: x += down(silu(gate(xb)) * up(xb))
        for (int e = 0; e < n; e++) {
            rmsNorm(x, e * dim, w.ffnNorm(), xb, e * dim, dim, eps);
        }
        backend.matmulEach(gateUpWeights[l], xb, n, gateUp);
        int ffn = n * w.gate().rows();
        backend.parallelFor(ffn, SWIGLU_GRAIN, (start, end) -> {
            for (int i = start; i < end; i++) {
                float g = hb[i];
                hb[i] = g / (1f + (float) Math.exp(-g)) * hb2[i];
            }
        });
        backend.matmul(w.down(), hb, n, proj);
        addInPlace(x, 0, proj, n * dim);
    }

    /** Causal attention of every (entry, head) over positions 0..position of the entry's own sequence. */
    private void attention(int l, List<BatchEntry> batch, int from, int n, KvCacheMemory kv) {
        int heads = cfg.heads();
        int group = heads / cfg.kvHeads();
        int hd = cfg.headDim();
        int vhd = cfg.valueHeadDim();
        int qDim = cfg.queryDim();
        int outDim = heads * vhd;
        float scale = 1f / (float) Math.sqrt(hd); // llama.cpp's kq_scale, rounded as it rounds it
        long work = 0;
        for (int e = 0; e < n; e++) {
            work += (long) (batch.get(from + e).position() + 1) * heads * (hd + vhd);
        }
        int tasks = n * heads;
        int grain = work < PARALLEL_ATTENTION_WORK ? tasks : 1;
        backend.parallelFor(tasks, grain, (start, end) -> {
            for (int task = start; task < end; task++) {
                int e = task / heads;
                int h = task % heads;
                BatchEntry entry = batch.get(from + e);
                SlotMapping slots = entry.slots();
                int len = entry.position() + 1;
                float[] s = scoreBuffer(len);
                int qOff = e * qDim + h * hd;
                int kvHead = h / group;
                if (kv.type() == KvType.F16) { // llama.cpp's flash attention (see HalfAttention)
                    halfAttention.attend(kv, l, slots, len, kvHead * hd, q, qOff, hd, scale, s, kvHead * vhd, att,
                            e * outDim + h * vhd, vhd);
                    continue;
                }
                // s[t] = q . k_t / sqrt(hd), then softmax over t
                kv.scoreKeys(l, slots, len, kvHead * hd, q, qOff, hd, scale, s);
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < len; t++) {
                    max = Math.max(max, s[t]);
                }
                double sum = 0;
                for (int t = 0; t < len; t++) {
                    float p = (float) Math.exp(s[t] - max);
                    s[t] = p;
                    sum += p;
                }
                float inv = (float) (1.0 / sum);
                // out = sum_t softmax(s)_t * v_t
                int oOff = e * outDim + h * vhd;
                kv.weightedValues(l, slots, len, kvHead * vhd, s, inv, att, oOff, vhd);
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

    /**
     * out = x / sqrt(mean(x^2) + eps) * w, with the sum of squares in double as llama.cpp does.
     * In-place use (out == x, same offset) is allowed.
     */
    static void rmsNorm(float[] x, int xOff, float[] w, float[] out, int outOff, int n, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            ss += xi * xi;
        }
        float mean = (float) (ss / n);
        float scale = 1f / (float) Math.sqrt(mean + eps);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = x[xOff + i] * scale * w[i];
        }
    }

    private static void addInPlace(float[] dst, int off, float[] src, int n) {
        VectorMath.axpy(1f, src, 0, dst, off, n);
    }
}
