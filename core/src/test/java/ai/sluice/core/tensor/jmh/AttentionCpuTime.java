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
 * Attention over an F16 KV cache on one path ({@code java} or {@code native}, as {@code --kernels}),
 * one thread, each call timed in the thread's CPU time (a busy machine's waits for the core do not
 * count). One path per process: with both in one JVM the shared call site turns bimorphic and C2
 * inlines the Java loops differently (they measured ~40% slower so). The case is a batched decode
 * step of a 110m-like model (12 heads of 64): SEQUENCES rows at position CONTEXT - 1, each
 * sequence's positions in paged blocks of 16 slots scattered over the pool, as the engine's
 * allocator leaves them, the calls cycling through 12 layers. Prints the median CPU time per layer
 * and ns per cached position and head. (The two paths' bits are compared by HalfAttentionTest.)
 *
 * <p>Run: {@code CPU_TIME=attention bench/native-vs-java.sh} (args: path, sequences, context, calls).
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
        KernelChoice path = KernelChoice.parse(args.length > 0 ? args[0] : "native");
        int sequences = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int context = args.length > 2 ? Integer.parseInt(args[2]) : 192;
        int calls = args.length > 3 ? Integer.parseInt(args[3]) : 101;
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
                CpuBackend b = new CpuBackend(new KernelPool(1), path)) {
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
            StepRows rows = b.rows(sequences, new int[sequences], positions, maps);
            Buffer qb = b.upload(q);
            Buffer out = b.allocate(sequences * dim);
            long[] ns = new long[calls];
            for (int i = -WARMUP; i < calls; i++) {
                long c0 = mx.getCurrentThreadCpuTime();
                b.attention(kv, Math.floorMod(i, LAYERS), rows, qb, shape, out);
                long c1 = mx.getCurrentThreadCpuTime();
                if (i >= 0) {
                    ns[i] = c1 - c0;
                }
            }
            double us = median(ns) / 1e3;
            System.out.printf(Locale.ROOT, "attention %s (%s), %d sequences at %d positions, 12 heads of 64, F16 KV, one thread: "
                    + "%.1f us per layer, %.2f ns per position and head%n", path, b.halfAttention(), sequences, context, us,
                    us * 1e3 / ((double) sequences * context * shape.heads()));
        }
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }
}
