package ai.sluice.cli;

import ai.sluice.core.model.BatchEntry;
import ai.sluice.core.model.ContiguousSlots;
import ai.sluice.core.model.ForwardPass;
import ai.sluice.core.model.KvType;
import ai.sluice.core.quant.eval.LogitsSource;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KvStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code sluice eval}'s models: the Llama forward pass, logits at every position of a window. */
final class LlamaEvalModels implements EvalModels {
    private final int threads;
    private final KernelChoice kernels;

    LlamaEvalModels(int threads, KernelChoice kernels) {
        this.threads = threads;
        this.kernels = kernels;
    }

    @Override
    public EvalModel open(Path gguf) {
        LoadedModel m = LoadedModel.open(gguf, threads, kernels);
        ForwardPass pass = m.model().newForwardPass(MAX_STEP); // scratch reused by every window
        return new EvalModel() {
            @Override
            public LogitsSource logits() {
                return LlamaEvalModels.logits(m, pass);
            }

            @Override
            public int[] tokenize(String text) {
                return m.tokenizer().encode(text, false, false);
            }

            @Override
            public int bosToken() {
                return m.tokenizer().vocabulary().bosId();
            }

            @Override
            public int vocabularySize() {
                return m.model().vocabSize();
            }

            @Override
            public void close() {
                m.close();
            }
        };
    }

    /** Tokens per forward step; longer windows run as consecutive steps. */
    private static final int MAX_STEP = 256;

    /** Each window runs from an empty F32 KV cache (exact attention), all positions wanting logits. */
    private static LogitsSource logits(LoadedModel m, ForwardPass pass) {
        return tokens -> {
            int n = tokens.length;
            int vocab = m.model().vocabSize();
            ContiguousSlots slots = new ContiguousSlots(0);
            List<BatchEntry> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(new BatchEntry(tokens[i], i, slots, true));
            }
            float[] flat;
            try (KvStore kv = m.model().allocateKv(n, KvType.F32)) {
                flat = pass.forward(batch, kv);
            }
            float[][] rows = new float[n][];
            for (int i = 0; i < n; i++) {
                rows[i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
            }
            return rows;
        };
    }
}
