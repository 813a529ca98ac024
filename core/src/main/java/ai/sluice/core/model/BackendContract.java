package ai.sluice.core.model;

import ai.sluice.core.tensor.Backend;
import ai.sluice.core.tensor.KvStore;
import java.util.ArrayList;
import java.util.List;

/**
 * What every {@link Backend} must give: the reference backend's results (the CPU's) on the same model
 * file. Runs the same two scenarios on a reference model and a candidate model and reports where
 * they differ, so a new backend's test is one line:
 * {@code assertThat(BackendContract.compare(cpuModel, cudaModel, Scenario.DEFAULT).problems(tol)).isEmpty()}.
 *
 * <ul>
 *   <li>one sequence ({@link Generator}): a prompt, then greedy decoding; the tokens must be the
 *       same, the logits of every step within the tolerance (after a differing token both sides go
 *       on with the reference's, so one near-tie does not end the comparison);</li>
 *   <li>several sequences batched ({@link ForwardPass}) on paged slot mappings whose blocks
 *       interleave between sequences: all prompts prefilled in one call (split into steps of the
 *       scenario's {@code maxBatch} on the candidate), then decode steps of all of them, fed the
 *       reference's greedy tokens, with one sequence not wanting logits at every other step, and
 *       the hidden states asked for: every logit and hidden element within the tolerance, every
 *       row's argmax the same.</li>
 * </ul>
 * Tolerances are absolute, on logits and on hidden states. A differing greedy token counts only
 * where the reference's own logits for the two tokens are more than twice the tolerance apart: with
 * every logit within the tolerance, a closer pair (a near-tie) may swap. The CPU's variants (Java or
 * native kernels, any thread count, any batch split) give the same bits: tolerance 0, no swap
 * excused.
 */
public final class BackendContract {
    /**
     * A tolerance for a backend whose kernels sum in another order than the CPU's (an accelerator),
     * on float models: logits of magnitude ~10 here, moved by ~1e-5 (F32 KV) to ~2e-3 (F16 KV) on
     * the cuda helper's emulated kernels. On Q8_0/Q4_0 models such a backend can round one 8-bit
     * activation to the other side of a half, which moved stories260K q8_0's logits by 0.26 there:
     * a backend not bit-exact with the CPU's int8 path states its own, larger, tolerance for them.
     */
    public static final float ACCELERATOR_TOLERANCE = 0.05f;

    private BackendContract() {
    }

    /**
     * The runs to compare.
     *
     * @param promptTokens tokens of each prompt (the longest; the batched prompts are shorter by 0..sequences-1 x 3)
     * @param decodeSteps greedy steps after the prompt
     * @param sequences sequences in the batched scenario
     * @param maxBatch the candidate's tokens per forward step (the reference runs each call in one step)
     * @param kvType the KV element type of both
     */
    public record Scenario(int promptTokens, int decodeSteps, int sequences, int maxBatch, KvType kvType) {
        /** 16-token prompts, 12 steps, 3 sequences, steps of 5 tokens on the candidate, F32 KV. */
        public static final Scenario DEFAULT = new Scenario(16, 12, 3, 5, KvType.F32);

        public Scenario {
            if (promptTokens < 3 * sequences || decodeSteps < 1 || sequences < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("scenario: " + promptTokens + " prompt tokens, " + decodeSteps
                        + " steps, " + sequences + " sequences, max batch " + maxBatch);
            }
        }

        /** The same scenario with {@code maxBatch} tokens per candidate step. */
        public Scenario withMaxBatch(int maxBatch) {
            return new Scenario(promptTokens, decodeSteps, sequences, maxBatch, kvType);
        }

        /** The same scenario on {@code type} KV. */
        public Scenario withKvType(KvType type) {
            return new Scenario(promptTokens, decodeSteps, sequences, maxBatch, type);
        }
    }

    /**
     * What differed.
     *
     * @param candidate the candidate backend's name
     * @param logitsCompared logit rows compared
     * @param maxLogitDiff largest absolute difference of a logit
     * @param maxHiddenDiff largest absolute difference of a hidden-state element
     * @param tokenMismatches greedy tokens (or batched rows' argmax) that differ
     */
    public record Report(String candidate, int logitsCompared, float maxLogitDiff, float maxHiddenDiff,
                         List<TokenMismatch> tokenMismatches) {

        /**
         * Every way the candidate broke the contract at {@code tolerance}; empty when it holds. A token
         * mismatch on a near-tie (the reference's gap at most {@code 2 * tolerance}) is not one.
         */
        public List<String> problems(float tolerance) {
            List<String> problems = new ArrayList<>();
            for (TokenMismatch m : tokenMismatches) {
                if (!(m.referenceGap() <= 2 * tolerance)) {
                    problems.add(candidate + ": " + m);
                }
            }
            if (!(maxLogitDiff <= tolerance)) {
                problems.add(candidate + ": logits differ by up to " + maxLogitDiff + " (tolerance " + tolerance + ")");
            }
            if (!(maxHiddenDiff <= tolerance)) {
                problems.add(candidate + ": hidden states differ by up to " + maxHiddenDiff
                        + " (tolerance " + tolerance + ")");
            }
            return problems;
        }
    }

    /**
     * A greedy token (or a batched row's argmax) that differs.
     *
     * @param where which scenario, step and row
     * @param expected the reference's token
     * @param actual the candidate's
     * @param referenceGap the reference's logit of {@code expected} minus its logit of {@code actual}
     */
    public record TokenMismatch(String where, int expected, int actual, float referenceGap) {
        @Override
        public String toString() {
            return where + ": token " + actual + ", the reference's " + expected + " (reference logits "
                    + referenceGap + " apart)";
        }
    }

    /** Compares {@code candidate} (the same file on the backend under test) against {@code reference}. */
    public static Report compare(LlamaModel reference, LlamaModel candidate, Scenario scenario) {
        if (reference.vocabSize() != candidate.vocabSize() || reference.config().dim() != candidate.config().dim()) {
            throw new IllegalArgumentException("the reference and the candidate are not the same model shape");
        }
        Differences d = new Differences(candidate.backend().name());
        single(reference, candidate, scenario, d);
        batched(reference, candidate, scenario, d);
        return new Report(d.name, d.rows, d.maxLogit, d.maxHidden, List.copyOf(d.mismatches));
    }

    private static void single(LlamaModel reference, LlamaModel candidate, Scenario s, Differences d) {
        int[] prompt = prompt(0, s.promptTokens(), reference.vocabSize());
        int context = s.promptTokens() + s.decodeSteps();
        try (Generator ref = reference.newGenerator(context, s.kvType());
                Generator cand = candidate.newGenerator(context, s.kvType())) {
            float[] expected = ref.prompt(prompt);
            float[] actual = cand.prompt(prompt);
            for (int step = 0; step < s.decodeSteps(); step++) {
                d.logits(expected, actual, 0, expected.length);
                int want = argmax(expected, 0, expected.length);
                int got = argmax(actual, 0, actual.length);
                if (want != got) {
                    d.mismatches.add(new TokenMismatch("single sequence, step " + step, want, got,
                            expected[want] - expected[got]));
                }
                // both go on with the reference's token, so the contexts stay the same
                expected = ref.next(want);
                actual = cand.next(want);
            }
        }
    }

    private static void batched(LlamaModel reference, LlamaModel candidate, Scenario s, Differences d) {
        int n = s.sequences();
        int vocab = reference.vocabSize();
        int dim = reference.config().dim();
        int blockSize = 4;
        int blocksPerSequence = (s.promptTokens() + s.decodeSteps() + blockSize - 1) / blockSize;
        SlotMapping[] slots = new SlotMapping[n];
        for (int q = 0; q < n; q++) {
            int seq = q;
            // block b of sequence q is physical block b * n + (n - 1 - q): neighbours interleave
            slots[q] = p -> ((p / blockSize) * n + (n - 1 - seq)) * blockSize + p % blockSize;
        }
        int slotCount = blocksPerSequence * n * blockSize;
        List<BatchEntry> batch = new ArrayList<>();
        int[] positions = new int[n];
        int[] next = new int[n];
        for (int q = 0; q < n; q++) {
            int[] prompt = prompt(q, s.promptTokens() - 3 * q, vocab);
            for (int p = 0; p < prompt.length; p++) {
                batch.add(new BatchEntry(prompt[p], p, slots[q], p >= prompt.length - 2));
            }
            positions[q] = prompt.length;
        }
        try (ForwardPass refPass = reference.newForwardPass(batch.size());
                ForwardPass candPass = candidate.newForwardPass(s.maxBatch());
                KvStore refKv = reference.allocateKv(slotCount, s.kvType());
                KvStore candKv = candidate.allocateKv(slotCount, s.kvType())) {
            for (int step = 0; step <= s.decodeSteps(); step++) {
                int wanting = 0;
                for (BatchEntry e : batch) {
                    wanting += e.wantsLogits() ? 1 : 0;
                }
                float[] expected = new float[wanting * vocab];
                float[] actual = new float[wanting * vocab];
                float[] expectedHidden = new float[batch.size() * dim];
                float[] actualHidden = new float[batch.size() * dim];
                refPass.forward(batch, refKv, expected, expectedHidden);
                candPass.forward(batch, candKv, actual, actualHidden);
                d.hidden(expectedHidden, actualHidden);
                int row = 0;
                for (BatchEntry e : batch) {
                    if (e.wantsLogits()) {
                        d.logits(expected, actual, row * vocab, vocab);
                        int want = argmax(expected, row * vocab, vocab);
                        int got = argmax(actual, row * vocab, vocab);
                        if (want != got) {
                            d.mismatches.add(new TokenMismatch("batched, step " + step + ", row " + row, want, got,
                                    expected[row * vocab + want] - expected[row * vocab + got]));
                        }
                        for (int q = 0; q < n; q++) {
                            if (e.slots() == slots[q]) {
                                next[q] = want;
                            }
                        }
                        row++;
                    }
                }
                batch.clear();
                for (int q = 0; q < n; q++) {
                    // sequence 1 skips its logits every other step (then repeats its last token)
                    batch.add(new BatchEntry(next[q], positions[q]++, slots[q], q != 1 || step % 2 == 0));
                }
            }
        }
    }

    /** A deterministic prompt: BOS (1) then ids spread over the vocabulary. */
    private static int[] prompt(int seed, int length, int vocab) {
        int[] tokens = new int[length];
        tokens[0] = 1;
        for (int i = 1; i < length; i++) {
            tokens[i] = (int) ((7L * i + 13L * seed + 2) % vocab);
        }
        return tokens;
    }

    private static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[off + i] > x[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** The running maxima and mismatches of one comparison. */
    private static final class Differences {
        final String name;
        final List<TokenMismatch> mismatches = new ArrayList<>();
        int rows;
        float maxLogit;
        float maxHidden;

        Differences(String name) {
            this.name = name;
        }

        void logits(float[] expected, float[] actual, int off, int n) {
            rows++;
            float diff = maxDiff(expected, actual, off, n);
            maxLogit = Float.isNaN(maxLogit) || Float.isNaN(diff) ? Float.NaN : Math.max(maxLogit, diff);
        }

        void hidden(float[] expected, float[] actual) {
            float diff = maxDiff(expected, actual, 0, expected.length);
            maxHidden = Float.isNaN(maxHidden) || Float.isNaN(diff) ? Float.NaN : Math.max(maxHidden, diff);
        }

        /** NaN where either side is NaN (and then no tolerance holds). */
        private static float maxDiff(float[] expected, float[] actual, int off, int n) {
            float max = 0;
            for (int i = off; i < off + n; i++) {
                float diff = Math.abs(expected[i] - actual[i]);
                if (Float.isNaN(diff)) {
                    return diff;
                }
                max = Math.max(max, diff);
            }
            return max;
        }
    }
}
