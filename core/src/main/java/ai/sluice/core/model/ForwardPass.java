package ai.sluice.core.model;

import ai.sluice.core.tensor.SlotMapping;
import ai.sluice.core.tensor.AttentionShape;
import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.Buffer;
import ai.sluice.core.tensor.KvStore;
import ai.sluice.core.tensor.PreparedWeight;
import ai.sluice.core.tensor.StepRows;
import java.util.List;

/**
 * Batched forward passes over a {@link KvStore}, with scratch buffers reused across calls: the
 * model's logic, computed by the model's {@link Backend} on buffers it owns (host arrays meet it
 * only for token ids in and logits and hidden states out).
 *
 * <p>One call takes entries of several sequences and several consecutive positions of one
 * sequence (a prefill chunk). Per layer, every projection of all entries is one matrix-matrix
 * product (each weight row read once per step); K and V of all entries are written to their
 * slots before attention, so an entry sees the earlier positions of its own sequence whether they
 * came from earlier calls or from this one. Each entry's result depends only on its own sequence
 * (batch invariance). Batches larger than {@code maxBatch} run as consecutive steps.
 *
 * <p>Not thread-safe: one forward pass per thread (the kernels inside are parallel). Closing it gives
 * its buffers back to the backend (a no-op on the CPU, device memory on an accelerator).
 */
public final class ForwardPass implements AutoCloseable {
    private final LlamaModel model;
    private final ModelConfig cfg;
    private final Backend backend;
    private final int maxBatch;
    private final AttentionShape attentionShape;
    private final Buffer x;
    private final Buffer xb;
    private final Buffer q;
    private final Buffer k;
    private final Buffer v;
    private final Buffer att;
    private final Buffer proj;
    private final Buffer hb;
    private final Buffer hb2;
    /** Outputs of the fused projections: q, k, v of the attention block; gate, up of the feed-forward. */
    private final Buffer[] qkv;
    private final Buffer[] gateUp;
    /** Per layer, the matrices each fused projection multiplies. */
    private final PreparedWeight[][] qkvWeights;
    private final PreparedWeight[][] gateUpWeights;
    /** A step's rows, as the host hands them to the backend. */
    private final int[] tokens;
    private final int[] positions;
    private final SlotMapping[] slotMaps;
    /** Which rows of a step want logits. */
    private final int[] logitRows;
    /** Logits and hidden states on the backend: grown to the rows a step needs (most steps want few). */
    private Buffer logitsOut;
    private Buffer hiddenOut;
    private boolean closed;

    ForwardPass(LlamaModel model, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.model = model;
        this.cfg = model.config();
        this.backend = model.backend();
        this.maxBatch = maxBatch;
        this.attentionShape = new AttentionShape(cfg.heads(), cfg.kvHeads(), cfg.headDim(), cfg.valueHeadDim());
        int dim = cfg.dim();
        int ff = model.layer(0).gate().rows();
        this.x = backend.allocate(maxBatch * dim);
        this.xb = backend.allocate(maxBatch * dim);
        this.q = backend.allocate(maxBatch * cfg.queryDim());
        this.k = backend.allocate(maxBatch * cfg.keyDim());
        this.v = backend.allocate(maxBatch * cfg.valueDim());
        this.att = backend.allocate(maxBatch * attentionShape.outputDim());
        this.proj = backend.allocate(maxBatch * dim);
        this.hb = backend.allocate(maxBatch * ff);
        this.hb2 = backend.allocate(maxBatch * ff);
        this.qkv = new Buffer[] {q, k, v};
        this.gateUp = new Buffer[] {hb, hb2};
        this.qkvWeights = new PreparedWeight[cfg.layers()][];
        this.gateUpWeights = new PreparedWeight[cfg.layers()][];
        for (int l = 0; l < cfg.layers(); l++) {
            LayerWeights w = model.layer(l);
            qkvWeights[l] = new PreparedWeight[] {w.wq(), w.wk(), w.wv()};
            gateUpWeights[l] = new PreparedWeight[] {w.gate(), w.up()};
        }
        this.tokens = new int[maxBatch];
        this.positions = new int[maxBatch];
        this.slotMaps = new SlotMapping[maxBatch];
        this.logitRows = new int[maxBatch];
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Runs {@code batch} and returns a new array of the logits of the entries that want them, in order. */
    public float[] forward(List<BatchEntry> batch, KvStore kv) {
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
    public int forward(List<BatchEntry> batch, KvStore kv, float[] logits) {
        return forward(batch, kv, logits, null);
    }

    /**
     * As {@link #forward(List, KvStore, float[])}; when {@code hidden} is not null it also
     * receives every entry's final hidden state after the output norm (what embeddings pool):
     * entry {@code i} at {@code hidden[i * dim .. (i + 1) * dim)}.
     */
    public int forward(List<BatchEntry> batch, KvStore kv, float[] logits, float[] hidden) {
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

    private void checkPool(KvStore kv) {
        if (kv.layers() != cfg.layers() || kv.keyDim() != cfg.keyDim() || kv.valueDim() != cfg.valueDim()) {
            throw new IllegalArgumentException("KV pool (" + kv.layers() + " layers, widths " + kv.keyDim() + "/"
                    + kv.valueDim() + ") does not fit the model (" + cfg.layers() + " layers, widths "
                    + cfg.keyDim() + "/" + cfg.valueDim() + ")");
        }
    }

    /** One step over entries [from, from + n); returns the number of logit rows written at logitsOff. */
    private int step(List<BatchEntry> batch, int from, int n, KvStore kv, float[] logits, int logitsOff,
                     float[] hidden) {
        int dim = cfg.dim();
        int vocab = model.vocabSize();
        int wanting = 0;
        for (int e = 0; e < n; e++) {
            BatchEntry entry = batch.get(from + e);
            if (entry.token() < 0 || entry.token() >= model.tokenEmbedding().rows()) {
                throw new IllegalArgumentException("token id " + entry.token() + " outside the vocabulary of "
                        + model.tokenEmbedding().rows());
            }
            tokens[e] = entry.token();
            positions[e] = entry.position();
            slotMaps[e] = entry.slots();
            if (entry.wantsLogits()) {
                logitRows[wanting++] = e;
            }
        }
        if (wanting > 0 && logits.length < logitsOff + (long) wanting * vocab) {
            throw new IllegalArgumentException("logits buffer of " + logits.length + " floats is too short for "
                    + (logitsOff / vocab + wanting) + " rows of " + vocab);
        }
        StepRows rows = backend.rows(n, tokens, positions, slotMaps);
        backend.embed(model.tokenEmbedding(), rows, x);
        for (int l = 0; l < cfg.layers(); l++) {
            layer(l, rows, n, kv);
        }
        if (hidden != null) { // embeddings: the normed final state of every entry
            hiddenOut = atLeast(hiddenOut, n * dim);
            backend.rmsNorm(x, model.outputNorm(), hiddenOut, n, dim, cfg.rmsEps());
            backend.read(hiddenOut, 0, hidden, from * dim, n * dim);
        }
        if (wanting > 0) {
            // the rows that want logits, normed into xb (each row's norm depends only on the row)
            Buffer normed = x;
            if (wanting < n) {
                backend.gatherRows(x, logitRows, wanting, dim, xb);
                normed = xb;
            }
            backend.rmsNorm(normed, model.outputNorm(), xb, wanting, dim, cfg.rmsEps());
            logitsOut = atLeast(logitsOut, wanting * vocab);
            backend.matmul(model.output(), xb, wanting, logitsOut);
            backend.read(logitsOut, 0, logits, logitsOff, wanting * vocab);
        }
        return wanting;
    }

    private Buffer atLeast(Buffer b, int floats) {
        if (b != null && b.length() >= floats) {
            return b;
        }
        if (b != null) {
            backend.release(b);
        }
        return backend.allocate(floats);
    }

    /** Gives the scratch buffers back to the backend (once); the pass must not be used afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Buffer b : new Buffer[] {x, xb, q, k, v, att, proj, hb, hb2, logitsOut, hiddenOut}) {
            if (b != null) {
                backend.release(b);
            }
        }
        logitsOut = null;
        hiddenOut = null;
    }

    private void layer(int l, StepRows rows, int n, KvStore kv) {
        LayerWeights w = model.layer(l);
        int dim = cfg.dim();
        int hd = cfg.headDim();
        float eps = cfg.rmsEps();

        // attention block: xb = norm(x); q, k, v = projections of all entries at once
        backend.rmsNorm(x, w.attnNorm(), xb, n, dim, eps);
        backend.matmulEach(qkvWeights[l], xb, n, qkv);
        if (w.qBias() != null) {
            backend.addRows(q, w.qBias(), n);
            backend.addRows(k, w.kBias(), n);
            backend.addRows(v, w.vBias(), n);
        }
        if (w.qNorm() != null) { // per-head norms (qwen3): one row per head
            backend.rmsNorm(q, w.qNorm(), q, n * cfg.heads(), hd, eps);
            backend.rmsNorm(k, w.kNorm(), k, n * cfg.kvHeads(), hd, eps);
        }
        backend.rope(q, rows, cfg.heads(), hd, model.rope().table());
        backend.rope(k, rows, cfg.kvHeads(), hd, model.rope().table());
        backend.writeKv(kv, l, rows, k, v);
        backend.attention(kv, l, rows, q, attentionShape, att);
        backend.matmul(w.wo(), att, n, proj);
        backend.add(x, proj, n * dim);

        // feed-forward block: x += down(silu(gate(xb)) * up(xb))
        backend.rmsNorm(x, w.ffnNorm(), xb, n, dim, eps);
        backend.matmulEach(gateUpWeights[l], xb, n, gateUp);
        backend.swiglu(hb, hb2, n * w.gate().rows());
        backend.matmul(w.down(), hb, n, proj);
        backend.add(x, proj, n * dim);
    }
}
