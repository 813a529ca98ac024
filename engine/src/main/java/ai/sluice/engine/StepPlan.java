package ai.sluice.engine;

import java.util.ArrayList;
import java.util.List;

/** What one step runs: sequences and how many of their pending tokens each computes. Reused across steps. */
final class StepPlan {
    final List<Sequence> sequences = new ArrayList<>();
    private int[] counts = new int[16];
    private boolean[] samples = new boolean[16];
    private int tokens;

    void clear() {
        sequences.clear();
        tokens = 0;
    }

    void add(Sequence s, int count) {
        if (sequences.size() == counts.length) {
            counts = java.util.Arrays.copyOf(counts, counts.length * 2);
            samples = java.util.Arrays.copyOf(samples, samples.length * 2);
        }
        counts[sequences.size()] = count;
        samples[sequences.size()] = s.embedding == null && s.computed + count == s.length();
        sequences.add(s);
        tokens += count;
    }

    /** Drops a sequence preempted after it was planned. */
    void remove(Sequence s) {
        int i = sequences.indexOf(s);
        if (i < 0) {
            return;
        }
        tokens -= counts[i];
        System.arraycopy(counts, i + 1, counts, i, sequences.size() - i - 1);
        System.arraycopy(samples, i + 1, samples, i, sequences.size() - i - 1);
        sequences.remove(i);
    }

    boolean contains(Sequence s) {
        return sequences.contains(s);
    }

    int size() {
        return sequences.size();
    }

    Sequence sequence(int i) {
        return sequences.get(i);
    }

    int count(int i) {
        return counts[i];
    }

    /** Whether sequence {@code i} reaches the end of its tokens this step, so its next token is sampled. */
    boolean samples(int i) {
        return samples[i];
    }

    int tokens() {
        return tokens;
    }

    boolean isEmpty() {
        return sequences.isEmpty();
    }
}
