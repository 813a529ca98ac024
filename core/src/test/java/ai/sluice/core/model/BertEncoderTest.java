package ai.sluice.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.gguf.GgufTensorInfo;
import ai.sluice.core.synth.SyntheticBert;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.testing.SharedData;
import ai.sluice.core.tokenizer.Tokenizer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BERT encoder on a synthetic bert-tiny file (with the real bge vocabulary) against a plain
 * double-precision reference written here from llama.cpp's graph description, reading the raw F32
 * tensors of the file: it shares no code with {@link BertEncoder} or the kernels.
 */
class BertEncoderTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    @TempDir
    static Path dir;
    private static GgufFile file;
    private static CpuBackend backend;
    private static BertModel model;
    private static Tokenizer tokenizer;
    private static GgufFile nomicFile;
    private static BertModel nomic;

    @BeforeAll
    static void write() {
        Path out = dir.resolve("bert-tiny.gguf");
        Path nomicOut = dir.resolve("nomic-tiny.gguf");
        try (GgufFile vocab = GgufFile.open(SharedData.tokenizerTests().resolve("ggml-vocab-bert-bge.gguf"))) {
            SyntheticBert.write(out, SyntheticBert.TINY, GgmlType.F32, 7, vocab.metadata(), Pooling.CLS);
            SyntheticBert.write(nomicOut, SyntheticBert.NOMIC_TINY, GgmlType.F32, 8, vocab.metadata(), Pooling.MEAN);
        }
        file = GgufFile.open(out);
        backend = new CpuBackend(new KernelPool(2));
        model = BertModel.load(file, backend);
        tokenizer = Tokenizer.fromGguf(file.metadata());
        nomicFile = GgufFile.open(nomicOut);
        nomic = BertModel.load(nomicFile, backend);
    }

    @AfterAll
    static void close() {
        backend.close();
        file.close();
        nomicFile.close();
    }

    private static List<int[]> inputs() {
        List<int[]> out = new ArrayList<>();
        for (String s : new String[] {"hello world", "The quick brown fox jumps over the lazy dog.",
            "Embeddings are vectors; bidirectional attention sees the whole sentence at once!", "a"}) {
            out.add(tokenizer.encode(s, true, false));
        }
        return out;
    }

    @Test
    void declaresItsShapeAndPoolingAndTokenizesAsBge() {
        assertThat(model.config().dim()).isEqualTo(128);
        assertThat(model.config().pooling()).contains(Pooling.CLS);
        assertThat(model.vocabSize()).isEqualTo(30522);
        int[] t = tokenizer.encode("hello world", true, false);
        assertThat(t).containsExactly(101, 7592, 2088, 102); // [CLS] hello world [SEP]
    }

    @Test
    void matchesAnIndependentDoublePrecisionReference() {
        matchesReference(model, file);
    }

    /** nomic-bert: no position embeddings, NeoX RoPE on Q and K, fused QKV, SwiGLU, no biases. */
    @Test
    void nomicBertMatchesTheReferenceAndBatchesBitForBit() {
        assertThat(nomic.config().architecture()).isEqualTo("nomic-bert");
        assertThat(nomic.config().pooling()).contains(Pooling.MEAN);
        assertThat(BertModel.isBert(nomicFile)).isTrue();
        matchesReference(nomic, nomicFile);
        List<int[]> inputs = inputs();
        int total = inputs.stream().mapToInt(a -> a.length).sum();
        float[] batched = new float[total * 128];
        nomic.newEncoder().encode(inputs, batched);
        float[] first = new float[inputs.getFirst().length * 128];
        nomic.newEncoder().encode(List.of(inputs.getFirst()), first);
        assertThat(java.util.Arrays.copyOf(batched, first.length)).containsExactly(first);
    }

    private static void matchesReference(BertModel model, GgufFile file) {
        BertEncoder encoder = model.newEncoder();
        for (int[] tokens : inputs()) {
            float[] out = new float[tokens.length * 128];
            encoder.encode(List.of(tokens), out);
            double[][] ref = Reference.encode(file, tokens);
            for (int t = 0; t < tokens.length; t++) {
                double dot = 0;
                double na = 0;
                double nb = 0;
                for (int i = 0; i < 128; i++) {
                    double a = out[t * 128 + i];
                    double b = ref[t][i];
                    assertThat(Math.abs(a - b)).as("token %d, element %d", t, i).isLessThan(1e-4);
                    dot += a * b;
                    na += a * a;
                    nb += b * b;
                }
                assertThat(dot / Math.sqrt(na * nb)).as("token %d", t).isGreaterThan(0.99999);
            }
        }
    }

    @Test
    void aBatchOfSequencesGivesEachSequencesOwnResultBitForBit() {
        List<int[]> inputs = inputs();
        int total = inputs.stream().mapToInt(a -> a.length).sum();
        float[] batched = new float[total * 128];
        model.newEncoder().encode(inputs, batched);
        int at = 0;
        for (int[] tokens : inputs) {
            float[] alone = new float[tokens.length * 128];
            model.newEncoder().encode(List.of(tokens), alone);
            assertThat(java.util.Arrays.copyOfRange(batched, at * 128, (at + tokens.length) * 128)).containsExactly(alone);
            at += tokens.length;
        }
    }

    @Test
    void attentionIsBidirectionalTheFirstTokenSeesTheLast() {
        int[] a = tokenizer.encode("the cat sat", true, false);
        int[] b = a.clone();
        b[b.length - 2] = tokenizer.encode("dog", false, false)[0];
        float[] outA = new float[a.length * 128];
        float[] outB = new float[b.length * 128];
        model.newEncoder().encode(List.of(a), outA);
        model.newEncoder().encode(List.of(b), outB);
        assertThat(java.util.Arrays.copyOf(outA, 128)).isNotEqualTo(java.util.Arrays.copyOf(outB, 128));
    }

    @Test
    void refusesSequencesLongerThanTheContext() {
        assertThatThrownBy(() -> model.newEncoder().encode(List.of(new int[513]), new float[513 * 128]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..512");
    }

    /**
     * llama.cpp's llm_build_bert in plain double loops over the file's F32 tensors, for bert and
     * nomic-bert (what a tensor's presence says: fused QKV, gate, position embeddings, biases).
     */
    static final class Reference {
        static double[][] encode(GgufFile f, int[] tokens) {
            int n = tokens.length;
            String a = f.metadata().getString("general.architecture") + ".";
            int dim = f.metadata().getInt(a + "embedding_length");
            int heads = f.metadata().getInt(a + "attention.head_count");
            int layers = f.metadata().getInt(a + "block_count");
            double eps = f.metadata().getFloat(a + "attention.layer_norm_epsilon");
            boolean rope = !f.hasTensor("position_embd.weight");
            double base = f.metadata().getFloat(a + "rope.freq_base", 10000f);
            int hd = dim / heads;
            double[][] x = new double[n][];
            for (int p = 0; p < n; p++) {
                double[] e = row(f, "token_embd.weight", tokens[p]);
                double[] pos = rope ? new double[dim] : row(f, "position_embd.weight", p);
                double[] type = row(f, "token_types.weight", 0);
                x[p] = new double[dim];
                for (int i = 0; i < dim; i++) {
                    x[p][i] = e[i] + pos[i] + type[i];
                }
                x[p] = norm(f, "token_embd_norm", x[p], eps);
            }
            for (int l = 0; l < layers; l++) {
                String b = "blk." + l + ".";
                double[][] q = new double[n][];
                double[][] k = new double[n][];
                double[][] v = new double[n][];
                for (int p = 0; p < n; p++) {
                    if (f.hasTensor(b + "attn_qkv.weight")) {
                        double[] qkv = linear(f, b + "attn_qkv", x[p]);
                        q[p] = java.util.Arrays.copyOfRange(qkv, 0, dim);
                        k[p] = java.util.Arrays.copyOfRange(qkv, dim, 2 * dim);
                        v[p] = java.util.Arrays.copyOfRange(qkv, 2 * dim, 3 * dim);
                    } else {
                        q[p] = linear(f, b + "attn_q", x[p]);
                        k[p] = linear(f, b + "attn_k", x[p]);
                        v[p] = linear(f, b + "attn_v", x[p]);
                    }
                    if (rope) {
                        rotate(q[p], heads, hd, p, base);
                        rotate(k[p], heads, hd, p, base);
                    }
                }
                double[][] next = new double[n][];
                for (int p = 0; p < n; p++) {
                    double[] att = new double[dim];
                    for (int h = 0; h < heads; h++) {
                        double[] s = new double[n];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < n; j++) {
                            for (int d = 0; d < hd; d++) {
                                s[j] += q[p][h * hd + d] * k[j][h * hd + d];
                            }
                            s[j] /= Math.sqrt(hd);
                            max = Math.max(max, s[j]);
                        }
                        double sum = 0;
                        for (int j = 0; j < n; j++) {
                            s[j] = Math.exp(s[j] - max);
                            sum += s[j];
                        }
                        for (int j = 0; j < n; j++) {
                            for (int d = 0; d < hd; d++) {
                                att[h * hd + d] += s[j] / sum * v[j][h * hd + d];
                            }
                        }
                    }
                    double[] o = linear(f, b + "attn_output", att);
                    for (int i = 0; i < dim; i++) {
                        o[i] += x[p][i];
                    }
                    double[] x1 = norm(f, b + "attn_output_norm", o, eps);
                    double[] up = linear(f, b + "ffn_up", x1);
                    if (f.hasTensor(b + "ffn_gate.weight")) {
                        double[] gate = linear(f, b + "ffn_gate", x1);
                        for (int i = 0; i < up.length; i++) {
                            up[i] *= gate[i] / (1 + Math.exp(-gate[i]));
                        }
                    } else {
                        for (int i = 0; i < up.length; i++) {
                            double z = up[i];
                            up[i] = 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
                        }
                    }
                    double[] down = linear(f, b + "ffn_down", up);
                    for (int i = 0; i < dim; i++) {
                        down[i] += x1[i];
                    }
                    next[p] = norm(f, b + "layer_output_norm", down, eps);
                }
                x = next;
            }
            return x;
        }

        /** NeoX RoPE: element i of each head pairs with i + hd/2, turned by pos * base^(-2i/hd). */
        static void rotate(double[] v, int heads, int hd, int pos, double base) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < hd / 2; i++) {
                    double theta = pos * Math.pow(base, -2.0 * i / hd);
                    double a = v[h * hd + i];
                    double b = v[h * hd + i + hd / 2];
                    v[h * hd + i] = a * Math.cos(theta) - b * Math.sin(theta);
                    v[h * hd + i + hd / 2] = a * Math.sin(theta) + b * Math.cos(theta);
                }
            }
        }

        /** W x + b, with W stored as ggml does: shape [in, out], row r = its r-th output; no bias tensor, no bias. */
        static double[] linear(GgufFile f, String name, double[] in) {
            GgufTensorInfo w = f.tensor(name + ".weight");
            int cols = (int) w.shape()[0];
            int rows = (int) w.shape()[1];
            MemorySegment data = f.tensorData(w);
            double[] bias = f.hasTensor(name + ".bias") ? vector(f, name + ".bias") : new double[rows];
            double[] out = new double[rows];
            for (int r = 0; r < rows; r++) {
                double s = bias[r];
                for (int c = 0; c < cols; c++) {
                    s += data.get(F32, ((long) r * cols + c) * 4) * in[c];
                }
                out[r] = s;
            }
            return out;
        }

        static double[] norm(GgufFile f, String name, double[] in, double eps) {
            double mean = 0;
            for (double a : in) {
                mean += a;
            }
            mean /= in.length;
            double var = 0;
            for (double a : in) {
                var += (a - mean) * (a - mean);
            }
            var /= in.length;
            double[] w = vector(f, name + ".weight");
            double[] b = vector(f, name + ".bias");
            double[] out = new double[in.length];
            for (int i = 0; i < in.length; i++) {
                out[i] = (in[i] - mean) / Math.sqrt(var + eps) * w[i] + b[i];
            }
            return out;
        }

        static double[] row(GgufFile f, String name, int r) {
            GgufTensorInfo t = f.tensor(name);
            int cols = (int) t.shape()[0];
            MemorySegment data = f.tensorData(t);
            double[] out = new double[cols];
            for (int c = 0; c < cols; c++) {
                out[c] = data.get(F32, ((long) r * cols + c) * 4);
            }
            return out;
        }

        static double[] vector(GgufFile f, String name) {
            return row(f, name, 0);
        }
    }
}
