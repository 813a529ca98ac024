package ai.sluice.core.tensor.jmh;

import ai.sluice.core.tensor.AttentionShape;
import ai.sluice.core.tensor.Buffer;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.tensor.KvCacheMemory;
import ai.sluice.core.tensor.KvType;
import ai.sluice.core.tensor.SlotMapping;
import ai.sluice.core.tensor.StepRows;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Attention over an F16 KV cache, Java loops against native ones ({@code --kernels java|native}),
 * one thread, calls alternating, each timed in the thread's CPU time (a busy machine's waits for
 * the core do not count). The case is a batched decode step of a 110m-like model (12 heads of 64):
 * SEQUENCES rows at position CONTEXT - 1, each sequence's positions in paged blocks of 16 slots
 * scattered over the pool, as the engine's allocator leaves them. Prints the median CPU time per
 * step and layer of each, their ratio, and ns per cached position and head.
 *
 * <p>Run: {@code CPU_TIME=attention bench/native-vs-java.sh} (args: sequences, context, calls).
 */
public final class AttentionCpuTime {
    private static final int BLOCK = 16;
    /** Layers the calls cycle through, so the cache read is the whole model's (113 MB at 16 x 192), not one layer's. */
    private static final int LAYERS = 12;
    /** Calls of each before timing: enough for C2 to compile the loops (fewer left them interpreted, 4x slower). */
    private static final int WARMUP = 300;

    private AttentionCpuTime() {
    }

    public static void main(String[] args) {
        int sequences = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int context = args.length > 1 ? Integer.parseInt(args[1]) : 192;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 31;
        AttentionShape shape = new AttentionShape(12, 12, 64, 64);
        int dim = shape.heads() * shape.headDim();
        int blocksPerSequence = (context + BLOCK - 1) / BLOCK;
        int slots = sequences * blocksPerSequence * BLOCK;
        // a shuffled block table: sequence s's block b is pool block order[s * blocksPerSequence + b]
        int[] order = new int[sequences * blocksPerSequence];
        Arrays.setAll(order, i -> i);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        SlotMapping[] maps = new SlotMapping[sequences];
        for (int s = 0; s < sequences; s++) {
            int first = s * blocksPerSequence;
            maps[s] = p -> order[first + p / BLOCK] * BLOCK + p % BLOCK;
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (KvCacheMemory kv = KvCacheMemory.allocate(LAYERS, slots, dim, dim, KvType.F16);
                CpuBackend java = new CpuBackend(new KernelPool(1), KernelChoice.JAVA);
                CpuBackend nat = new CpuBackend(new KernelPool(1), KernelChoice.NATIVE)) {
            float[] k = new float[dim];
            float[] v = new float[dim];
            for (int slot = 0; slot < slots; slot++) {
                for (int i = 0; i < dim; i++) {
                    k[i] = (float) rnd.nextDouble(-2, 2);
                    v[i] = (float) rnd.nextDouble(-1, 1);
                }
                for (int layer = 0; layer < LAYERS; layer++) {
                    kv.write(layer, slot, k, 0, v, 0);
                }
            }
            int[] positions = new int[sequences];
            Arrays.fill(positions, context - 1);
            float[] q = new float[sequences * dim];
            for (int i = 0; i < q.length; i++) {
                q[i] = (float) rnd.nextDouble(-2, 2);
            }
            CpuBackend[] variants = {java, nat};
            long[][] ns = new long[2][calls];
            float[][] results = new float[2][];
            for (int i = -WARMUP; i < calls; i++) {
                for (int j = 0; j < 2; j++) {
                    int which = (i + j) & 1; // alternate who goes first
                    CpuBackend b = variants[which];
                    StepRows rows = b.rows(sequences, new int[sequences], positions, maps);
                    Buffer qb = b.upload(q);
                    Buffer out = b.allocate(sequences * dim);
                    long c0 = mx.getCurrentThreadCpuTime();
                    b.attention(kv, Math.floorMod(i, LAYERS), rows, qb, shape, out);
                    long c1 = mx.getCurrentThreadCpuTime();
                    if (i >= 0) {
                        ns[which][i] = c1 - c0;
                    }
                    results[which] = new float[sequences * dim];
                    b.read(out, 0, results[which], 0, results[which].length);
                }
            }
            if (!Arrays.equals(results[0], results[1])) {
                throw new AssertionError("native attention gave other bits than Java's");
            }
            double jm = median(ns[0]) / 1e3;
            double nm = median(ns[1]) / 1e3;
            double units = (double) sequences * context * shape.heads();
            System.out.printf(Locale.ROOT, "attention, %d sequences at %d positions, 12 heads of 64, F16 KV, one thread:%n",
                    sequences, context);
            System.out.printf(Locale.ROOT, "java %.1f us, native %.1f us per layer (%.2fx); ns per position and head: %.2f vs %.2f%n",
                    jm, nm, jm / nm, jm * 1e3 / units, nm * 1e3 / units);
        }
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
