package ai.sluice.core.tensor;


/**
 * The CPU's causal attention over a {@link KvCacheMemory}: one task per (row, head), split over the
 * kernel pool when the step holds enough work; each task is {@link KvCacheMemory#attendHead}.
 */
final class CpuAttention {
    /** Attention work (multiply-adds) below which splitting over threads costs more than it saves. */
    private static final long PARALLEL_ATTENTION_WORK = 64 * 1024;

    private final KernelPool pool;
    private final HalfAttentionLoops halfLoops;
    private final ThreadLocal<float[]> scores = ThreadLocal.withInitial(() -> new float[256]);

    /** Attention whose loops over an F16 cache are {@code halfLoops} (Java or native). */
    CpuAttention(KernelPool pool, HalfAttentionLoops halfLoops) {
        this.pool = pool;
        this.halfLoops = halfLoops;
    }

    HalfAttentionLoops halfLoops() {
        return halfLoops;
    }

    /** Causal attention of every (row, head) over positions 0..position of the row's own sequence. */
    void run(KvCacheMemory kv, int l, CpuBackend.Rows rows, float[] q, AttentionShape shape, float[] att) {
        int n = rows.count();
        int heads = shape.heads();
        int group = heads / shape.kvHeads();
        int hd = shape.headDim();
        int vhd = shape.valueHeadDim();
        int qDim = shape.queryDim();
        int outDim = shape.outputDim();
        float scale = 1f / (float) Math.sqrt(hd); // llama.cpp's kq_scale, rounded as it rounds it
        int[] positions = rows.positions();
        int[][] slots = rows.slotArrays();
        long work = 0;
        for (int e = 0; e < n; e++) {
            work += (long) (positions[e] + 1) * heads * (hd + vhd);
        }
        int tasks = n * heads;
        int grain = work < PARALLEL_ATTENTION_WORK ? tasks : 1;
        pool.parallelFor(tasks, grain, (start, end) -> {
            for (int task = start; task < end; task++) {
                int e = task / heads;
                int h = task % heads;
                float[] s = scoreBuffer(positions[e] + 1);
                kv.attendHead(halfLoops, l, slots[e], positions[e] + 1, h / group, q, e * qDim + h * hd, hd, scale, s,
                        att, e * outDim + h * vhd, vhd);
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
}
