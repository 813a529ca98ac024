package ai.sluice.core.model;

import ai.sluice.core.tensor.KvType;
import ai.sluice.core.tensor.KvCacheMemory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufValue;
import ai.sluice.core.gguf.GgufWriter;
import ai.sluice.core.gguf.GgufWriter.TensorSpec;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelPool;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small random models of every supported architecture, written as real GGUF files, against a
 * plain float64 implementation of the same graph written here from the definitions (no oracle
 * exists for qwen2/qwen3 among the shared files).
 */
class SyntheticArchitectureTest {
    private static final int DIM = 32;
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int FF = 48;
    private static final int VOCAB = 40;
    private static final int LAYERS = 2;
    private static final float EPS = 1e-6f;
    private static final int[] TOKENS = {3, 17, 5, 39, 0, 22, 8};

    /** Knobs of one synthetic model. */
    record Spec(String arch, int headDim, int ropeDims, float ropeBase, float linearScale, boolean freqFactors,
                boolean tiedOutput) {
    }

    @Test
    void llamaWithTiedOutputMatchesReference(@TempDir Path dir) {
        check(dir, new Spec("llama", 8, 8, 10000f, 1f, false, true));
    }

    @Test
    void mistralRunsTheLlamaGraphWithLinearScalingAndRopeFreqs(@TempDir Path dir) {
        check(dir, new Spec("mistral", 8, 8, 500000f, 4f, true, false));
    }

    @Test
    void qwen2WithBiasesAndNeoxRopeMatchesReference(@TempDir Path dir) {
        check(dir, new Spec("qwen2", 8, 8, 1000000f, 1f, false, false));
    }

    @Test
    void qwen3WithQkNormAndWideHeadsMatchesReference(@TempDir Path dir) {
        // head width 16 with 4 heads: the query projection (64) is wider than the model (32)
        check(dir, new Spec("qwen3", 16, 16, 1000000f, 1f, false, true));
    }

    @Test
    void partialRotaryLeavesTheRestOfTheHeadAlone(@TempDir Path dir) {
        check(dir, new Spec("llama", 8, 4, 10000f, 1f, false, false));
    }

    @Test
    void rejectsUnknownArchitecturesByName(@TempDir Path dir) {
        Path path = dir.resolve("m.gguf");
        write(path, new Spec("gpt2", 8, 8, 10000f, 1f, false, true), new HashMap<>(), new Random(1));
        try (GgufFile file = GgufFile.open(path); CpuBackend backend = new CpuBackend(new KernelPool(1))) {
            assertThatThrownBy(() -> LlamaModel.load(file, backend)).isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("'gpt2'");
        }
    }

    @Test
    void rejectsAMissingTensorByName(@TempDir Path dir) {
        Path path = dir.resolve("m.gguf");
        Map<String, float[]> weights = new HashMap<>();
        write(path, new Spec("llama", 8, 8, 10000f, 1f, false, true), weights, new Random(1), "blk.1.ffn_up.weight");
        try (GgufFile file = GgufFile.open(path); CpuBackend backend = new CpuBackend(new KernelPool(1))) {
            assertThatThrownBy(() -> LlamaModel.load(file, backend)).hasMessageContaining("blk.1.ffn_up.weight");
        }
    }

    private static void check(Path dir, Spec spec) {
        Path path = dir.resolve(spec.arch() + ".gguf");
        Map<String, float[]> w = new HashMap<>();
        write(path, spec, w, new Random(spec.hashCode()));
        double[][] expected = new Reference(spec, w).run(TOKENS);
        try (GgufFile file = GgufFile.open(path); CpuBackend backend = new CpuBackend(new KernelPool(2))) {
            LlamaModel model = LlamaModel.load(file, backend);
            assertThat(model.config().architecture()).isEqualTo(Architecture.fromGguf(spec.arch()));
            try (KvCacheMemory pool = KvCacheMemory.allocate(model.config().layers(), TOKENS.length, model.config().keyDim(), model.config().valueDim(), KvType.F32)) {
                List<BatchEntry> batch = new ArrayList<>();
                for (int p = 0; p < TOKENS.length; p++) {
                    batch.add(new BatchEntry(TOKENS[p], p, new ContiguousSlots(0), true));
                }
                float[] logits = model.newForwardPass(8).forward(batch, pool);
                for (int p = 0; p < TOKENS.length; p++) {
                    for (int v = 0; v < VOCAB; v++) {
                        assertThat((double) logits[p * VOCAB + v]).as("%s position %d token %d", spec.arch(), p, v)
                                .isCloseTo(expected[p][v], within(2e-4));
                    }
                }
            }
        }
    }

    private static void write(Path path, Spec s, Map<String, float[]> weights, Random rnd, String... omit) {
        Map<String, GgufValue> md = new LinkedHashMap<>();
        String a = s.arch() + ".";
        md.put("general.architecture", GgufValue.ofString(s.arch()));
        md.put(a + "context_length", GgufValue.ofUInt32(64));
        md.put(a + "embedding_length", GgufValue.ofUInt32(DIM));
        md.put(a + "block_count", GgufValue.ofUInt32(LAYERS));
        md.put(a + "feed_forward_length", GgufValue.ofUInt32(FF));
        md.put(a + "attention.head_count", GgufValue.ofUInt32(HEADS));
        md.put(a + "attention.head_count_kv", GgufValue.ofUInt32(KV_HEADS));
        md.put(a + "attention.key_length", GgufValue.ofUInt32(s.headDim()));
        md.put(a + "attention.value_length", GgufValue.ofUInt32(s.headDim()));
        md.put(a + "attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(EPS));
        md.put(a + "rope.freq_base", GgufValue.ofFloat32(s.ropeBase()));
        md.put(a + "rope.dimension_count", GgufValue.ofUInt32(s.ropeDims()));
        md.put(a + "vocab_size", GgufValue.ofUInt32(VOCAB));
        if (s.linearScale() != 1f) {
            md.put(a + "rope.scaling.type", GgufValue.ofString("linear"));
            md.put(a + "rope.scaling.factor", GgufValue.ofFloat32(s.linearScale()));
        }
        int q = HEADS * s.headDim();
        int kv = KV_HEADS * s.headDim();
        List<TensorSpec> specs = new ArrayList<>();
        add(specs, weights, rnd, "token_embd.weight", VOCAB, DIM, 1.0);
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            addNorm(specs, weights, rnd, p + "attn_norm.weight", DIM);
            add(specs, weights, rnd, p + "attn_q.weight", q, DIM, 0.3);
            add(specs, weights, rnd, p + "attn_k.weight", kv, DIM, 0.3);
            add(specs, weights, rnd, p + "attn_v.weight", kv, DIM, 0.3);
            add(specs, weights, rnd, p + "attn_output.weight", DIM, q, 0.2);
            if (s.arch().equals("qwen2")) {
                add(specs, weights, rnd, p + "attn_q.bias", 1, q, 0.5);
                add(specs, weights, rnd, p + "attn_k.bias", 1, kv, 0.5);
                add(specs, weights, rnd, p + "attn_v.bias", 1, kv, 0.5);
            }
            if (s.arch().equals("qwen3")) {
                addNorm(specs, weights, rnd, p + "attn_q_norm.weight", s.headDim());
                addNorm(specs, weights, rnd, p + "attn_k_norm.weight", s.headDim());
            }
            addNorm(specs, weights, rnd, p + "ffn_norm.weight", DIM);
            add(specs, weights, rnd, p + "ffn_gate.weight", FF, DIM, 0.3);
            add(specs, weights, rnd, p + "ffn_up.weight", FF, DIM, 0.3);
            add(specs, weights, rnd, p + "ffn_down.weight", DIM, FF, 0.2);
        }
        addNorm(specs, weights, rnd, "output_norm.weight", DIM);
        if (!s.tiedOutput()) {
            add(specs, weights, rnd, "output.weight", VOCAB, DIM, 0.3);
        }
        if (s.freqFactors()) {
            float[] f = new float[s.ropeDims() / 2];
            for (int i = 0; i < f.length; i++) {
                f[i] = 1f + i * 1.5f;
            }
            weights.put("rope_freqs.weight", f);
            specs.add(tensor("rope_freqs.weight", 1, f.length, f));
        }
        specs.removeIf(t -> List.of(omit).contains(t.name()));
        GgufWriter.write(path, md, specs);
    }

    private static void add(List<TensorSpec> specs, Map<String, float[]> weights, Random rnd, String name,
                            int rows, int cols, double scale) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        weights.put(name, v);
        specs.add(tensor(name, rows, cols, v));
    }

    private static void addNorm(List<TensorSpec> specs, Map<String, float[]> weights, Random rnd, String name, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.8 + 0.4 * rnd.nextDouble());
        }
        weights.put(name, v);
        specs.add(tensor(name, 1, n, v));
    }

    private static TensorSpec tensor(String name, int rows, int cols, float[] values) {
        long[] shape = rows == 1 ? new long[] {cols} : new long[] {cols, rows};
        return new TensorSpec(name, GgmlType.F32, shape, seg -> {
            for (int i = 0; i < values.length; i++) {
                seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, values[i]);
            }
        });
    }

    /** The graph, naively, in double precision: the test's independent reference. */
    private record Reference(Spec s, Map<String, float[]> w) {

        double[][] run(int[] tokens) {
            int hd = s.headDim();
            int group = HEADS / KV_HEADS;
            int n = tokens.length;
            double[][] x = new double[n][DIM];
            for (int p = 0; p < n; p++) {
                for (int i = 0; i < DIM; i++) {
                    x[p][i] = w.get("token_embd.weight")[tokens[p] * DIM + i];
                }
            }
            for (int l = 0; l < LAYERS; l++) {
                String pre = "blk." + l + ".";
                double[][] keys = new double[n][];
                double[][] values = new double[n][];
                double[][] queries = new double[n][];
                for (int p = 0; p < n; p++) {
                    double[] h = norm(x[p], w.get(pre + "attn_norm.weight"));
                    double[] q = matvec(pre + "attn_q.weight", h, HEADS * hd);
                    double[] k = matvec(pre + "attn_k.weight", h, KV_HEADS * hd);
                    double[] v = matvec(pre + "attn_v.weight", h, KV_HEADS * hd);
                    if (w.containsKey(pre + "attn_q.bias")) {
                        addTo(q, w.get(pre + "attn_q.bias"));
                        addTo(k, w.get(pre + "attn_k.bias"));
                        addTo(v, w.get(pre + "attn_v.bias"));
                    }
                    for (int head = 0; head < HEADS; head++) {
                        headNorm(q, head * hd, hd, w.get(pre + "attn_q_norm.weight"));
                        rope(q, head * hd, p);
                    }
                    for (int head = 0; head < KV_HEADS; head++) {
                        headNorm(k, head * hd, hd, w.get(pre + "attn_k_norm.weight"));
                        rope(k, head * hd, p);
                    }
                    queries[p] = q;
                    keys[p] = k;
                    values[p] = v;
                }
                for (int p = 0; p < n; p++) {
                    double[] out = new double[HEADS * hd];
                    for (int head = 0; head < HEADS; head++) {
                        int kvOff = (head / group) * hd;
                        double[] sc = new double[p + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int t = 0; t <= p; t++) {
                            double d = 0;
                            for (int i = 0; i < hd; i++) {
                                d += queries[p][head * hd + i] * keys[t][kvOff + i];
                            }
                            sc[t] = d / Math.sqrt(hd);
                            max = Math.max(max, sc[t]);
                        }
                        double sum = 0;
                        for (int t = 0; t <= p; t++) {
                            sc[t] = Math.exp(sc[t] - max);
                            sum += sc[t];
                        }
                        for (int t = 0; t <= p; t++) {
                            for (int i = 0; i < hd; i++) {
                                out[head * hd + i] += sc[t] / sum * values[t][kvOff + i];
                            }
                        }
                    }
                    addTo(x[p], matvec(pre + "attn_output.weight", out, DIM));
                }
                for (int p = 0; p < n; p++) {
                    double[] h = norm(x[p], w.get(pre + "ffn_norm.weight"));
                    double[] g = matvec(pre + "ffn_gate.weight", h, FF);
                    double[] u = matvec(pre + "ffn_up.weight", h, FF);
                    for (int i = 0; i < FF; i++) {
                        g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                    }
                    addTo(x[p], matvec(pre + "ffn_down.weight", g, DIM));
                }
            }
            String out = w.containsKey("output.weight") ? "output.weight" : "token_embd.weight";
            double[][] logits = new double[n][];
            for (int p = 0; p < n; p++) {
                logits[p] = matvec(out, norm(x[p], w.get("output_norm.weight")), VOCAB);
            }
            return logits;
        }

        private double[] matvec(String name, double[] v, int rows) {
            float[] m = w.get(name);
            int cols = v.length;
            double[] out = new double[rows];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out[r] += m[r * cols + c] * v[c];
                }
            }
            return out;
        }

        private static void addTo(double[] dst, double[] src) {
            for (int i = 0; i < dst.length; i++) {
                dst[i] += src[i];
            }
        }

        private static void addTo(double[] dst, float[] src) {
            for (int i = 0; i < dst.length; i++) {
                dst[i] += src[i];
            }
        }

        private static double[] norm(double[] v, float[] weight) {
            double ss = 0;
            for (double d : v) {
                ss += d * d;
            }
            double scale = 1 / Math.sqrt(ss / v.length + EPS);
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i] * scale * weight[i];
            }
            return out;
        }

        private static void headNorm(double[] v, int off, int n, float[] weight) {
            if (weight == null) {
                return;
            }
            double ss = 0;
            for (int i = 0; i < n; i++) {
                ss += v[off + i] * v[off + i];
            }
            double scale = 1 / Math.sqrt(ss / n + EPS);
            for (int i = 0; i < n; i++) {
                v[off + i] = v[off + i] * scale * weight[i];
            }
        }

        private void rope(double[] v, int off, int pos) {
            boolean neox = !s.arch().equals("llama") && !s.arch().equals("mistral");
            int dims = s.ropeDims();
            for (int i = 0; i < dims / 2; i++) {
                double theta = pos / (double) s.linearScale() * Math.pow(s.ropeBase(), -2.0 * i / dims);
                if (s.freqFactors()) {
                    theta /= w.get("rope_freqs.weight")[i];
                }
                int a = neox ? i : 2 * i;
                int b = neox ? i + dims / 2 : 2 * i + 1;
                double x0 = v[off + a];
                double x1 = v[off + b];
                v[off + a] = x0 * Math.cos(theta) - x1 * Math.sin(theta);
                v[off + b] = x0 * Math.sin(theta) + x1 * Math.cos(theta);
            }
        }
    }
}
