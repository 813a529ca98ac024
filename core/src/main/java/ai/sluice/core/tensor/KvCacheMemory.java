package ai.sluice.core.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU backend's {@link KvStore}: the KV cache's memory, where it is <b>allocated</b>
 * ({@link #allocate}, through {@code CpuBackend.allocateKv}), written and <b>read</b> (the CPU's
 * attention): a pool of slots, per layer K storage of {@code slots x keyDim}
 * and V storage of {@code slots x valueDim} elements, off-heap, in F32 or F16 ({@link KvType}). Which
 * slot holds which position of which sequence is decided outside (see {@link SlotMapping}: the
 * engine's paged block tables, or {@link Generator}'s one contiguous sequence); capacity is fixed at
 * creation, sized by the caller (the engine's {@code KvCacheSizing}).
 *
 * <p>Writes to distinct slots may happen from different threads; the pool does no locking.
 */
public final class KvCacheMemory implements KvStore {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Per thread: four accumulators stored for their lane sums. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[4 * L]);

    private final int layers;
    private final int slots;
    private final int keyDim;
    private final int valueDim;
    private final KvType type;
    private final Arena arena;
    private final MemorySegment[] keys;
    private final MemorySegment[] values;

    private KvCacheMemory(int layers, int slots, int keyDim, int valueDim, KvType type) {
        if (layers <= 0 || slots <= 0 || keyDim <= 0 || valueDim <= 0) {
            throw new IllegalArgumentException("KV pool needs positive sizes, got layers " + layers + ", slots "
                    + slots + ", key width " + keyDim + ", value width " + valueDim);
        }
        this.layers = layers;
        this.slots = slots;
        this.keyDim = keyDim;
        this.valueDim = valueDim;
        this.type = type;
        this.arena = Arena.ofShared();
        this.keys = new MemorySegment[layers];
        this.values = new MemorySegment[layers];
        int e = type.bytesPerElement();
        for (int l = 0; l < layers; l++) {
            keys[l] = arena.allocate((long) slots * keyDim * e, 64);
            values[l] = arena.allocate((long) slots * valueDim * e, 64);
        }
    }

    /** A pool with explicit sizes. */
    public static KvCacheMemory allocate(int layers, int slots, int keyDim, int valueDim, KvType type) {
        return new KvCacheMemory(layers, slots, keyDim, valueDim, type);
    }

    public int layers() {
        return layers;
    }

    public int slots() {
        return slots;
    }

    public int keyDim() {
        return keyDim;
    }

    public int valueDim() {
        return valueDim;
    }

    public KvType type() {
        return type;
    }

    /** Bytes held for all layers, K and V. */
    public long byteSize() {
        return (long) layers * slots * (keyDim + valueDim) * type.bytesPerElement();
    }

    /** Bytes one slot takes across all layers. */
    public long bytesPerSlot() {
        return (long) layers * (keyDim + valueDim) * type.bytesPerElement();
    }

    /** Stores a K row and a V row at {@code slot} of {@code layer}. */
    public void write(int layer, int slot, float[] k, int kOff, float[] v, int vOff) {
        checkSlot(slot);
        store(keys[layer], (long) slot * keyDim, k, kOff, keyDim);
        store(values[layer], (long) slot * valueDim, v, vOff, valueDim);
    }

    /** Dot product of {@code q[qOff .. qOff + n)} with K elements {@code [off, off + n)} of {@code slot}. */
    public float dotKey(int layer, int slot, int off, float[] q, int qOff, int n) {
        MemorySegment seg = keys[layer];
        long base = (long) slot * keyDim + off;
        float sum = 0f;
        if (type == KvType.F32) {
            int i = 0;
            if (n >= L) {
                FloatVector acc = FloatVector.zero(S);
                for (; i <= n - L; i += L) {
                    acc = FloatVector.fromArray(S, q, qOff + i)
                            .fma(FloatVector.fromMemorySegment(S, seg, (base + i) * 4, ByteOrder.nativeOrder()), acc);
                }
                sum = VectorMath.sumLanes(acc);
            }
            for (; i < n; i++) {
                sum += q[qOff + i] * seg.getAtIndex(F32, base + i);
            }
        } else {
            int i = 0;
            if (n >= L && HalfVectors.supported()) {
                FloatVector acc = FloatVector.zero(S);
                for (; i <= n - L; i += L) {
                    acc = FloatVector.fromArray(S, q, qOff + i).fma(HalfVectors.load(seg, (base + i) * 2), acc);
                }
                sum = VectorMath.sumLanes(acc);
            }
            for (; i < n; i++) {
                sum += q[qOff + i] * Float.float16ToFloat(seg.getAtIndex(F16, base + i));
            }
        }
        return sum;
    }

    /** {@code acc[accOff + i] += w * V[slot][off + i]} for {@code i < n}. */
    public void addValue(int layer, int slot, int off, float w, float[] acc, int accOff, int n) {
        MemorySegment seg = values[layer];
        long base = (long) slot * valueDim + off;
        if (type == KvType.F32) {
            int i = 0;
            if (n >= L) {
                FloatVector wv = FloatVector.broadcast(S, w);
                for (; i <= n - L; i += L) {
                    FloatVector.fromMemorySegment(S, seg, (base + i) * 4, ByteOrder.nativeOrder())
                            .fma(wv, FloatVector.fromArray(S, acc, accOff + i)).intoArray(acc, accOff + i);
                }
            }
            for (; i < n; i++) {
                acc[accOff + i] += w * seg.getAtIndex(F32, base + i);
            }
        } else {
            int i = 0;
            if (n >= L && HalfVectors.supported()) {
                FloatVector wv = FloatVector.broadcast(S, w);
                for (; i <= n - L; i += L) {
                    HalfVectors.load(seg, (base + i) * 2).fma(wv, FloatVector.fromArray(S, acc, accOff + i))
                            .intoArray(acc, accOff + i);
                }
            }
            for (; i < n; i++) {
                acc[accOff + i] += w * Float.float16ToFloat(seg.getAtIndex(F16, base + i));
            }
        }
    }

    /**
     * {@code scores[t] = (q . K[slots[t]][off .. off + n)) * scale} for {@code t < len}: every
     * score computed exactly as {@link #dotKey} computes it, in one call per head instead of one per
     * position.
     */
    public void scoreKeys(int layer, int[] slots, int len, int off, float[] q, int qOff, int n, float scale,
            float[] scores) {
        int t = 0;
        if (n % L == 0 && type == KvType.F32) {
            // four positions at a time, each one FMA chain over the head as in dotKey; the lanes are
            // added from an array: extracting 16 lanes from a register costs ~2 instructions each.
            // (F16 keys this way measured slower than dotKey's: the conversions of four rows at once
            // outgrew what C2 compiles well.)
            float[] lanes = LANES.get();
            MemorySegment seg = keys[layer];
            for (; t + 4 <= len; t += 4) {
                long k0 = (long) slots[t] * keyDim + off;
                long k1 = (long) slots[t + 1] * keyDim + off;
                long k2 = (long) slots[t + 2] * keyDim + off;
                long k3 = (long) slots[t + 3] * keyDim + off;
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int i = 0; i < n; i += L) {
                    FloatVector qv = FloatVector.fromArray(S, q, qOff + i);
                    a0 = qv.fma(FloatVector.fromMemorySegment(S, seg, (k0 + i) * 4, ByteOrder.nativeOrder()), a0);
                    a1 = qv.fma(FloatVector.fromMemorySegment(S, seg, (k1 + i) * 4, ByteOrder.nativeOrder()), a1);
                    a2 = qv.fma(FloatVector.fromMemorySegment(S, seg, (k2 + i) * 4, ByteOrder.nativeOrder()), a2);
                    a3 = qv.fma(FloatVector.fromMemorySegment(S, seg, (k3 + i) * 4, ByteOrder.nativeOrder()), a3);
                }
                a0.intoArray(lanes, 0);
                a1.intoArray(lanes, L);
                a2.intoArray(lanes, 2 * L);
                a3.intoArray(lanes, 3 * L);
                scores[t] = VectorMath.sumLanes(lanes, 0, L) * scale;
                scores[t + 1] = VectorMath.sumLanes(lanes, L, L) * scale;
                scores[t + 2] = VectorMath.sumLanes(lanes, 2 * L, L) * scale;
                scores[t + 3] = VectorMath.sumLanes(lanes, 3 * L, L) * scale;
            }
        }
        for (; t < len; t++) {
            scores[t] = dotKey(layer, slots[t], off, q, qOff, n) * scale;
        }
    }

    /**
     * {@code acc[accOff + i] = sum_t (weights[t] * inv) * V[slots[t]][off + i]} for {@code i < n},
     * with {@code acc} zeroed first: the same FMAs in the same order (t ascending) as calling
     * {@link #addValue} per position, but each vector of {@code acc} stays in a register over all
     * positions instead of being loaded and stored for every one.
     */
    public void weightedValues(int layer, int[] slots, int len, int off, float[] weights, float inv,
            float[] acc, int accOff, int n) {
        MemorySegment seg = values[layer];
        int i = 0;
        boolean f32 = type == KvType.F32;
        if (f32 || HalfVectors.supported()) {
            for (; i <= n - L; i += L) {
                FloatVector sum = FloatVector.zero(S);
                for (int t = 0; t < len; t++) {
                    long at = (long) slots[t] * valueDim + off + i;
                    FloatVector v = f32
                            ? FloatVector.fromMemorySegment(S, seg, at * 4, ByteOrder.nativeOrder())
                            : HalfVectors.load(seg, at * 2);
                    sum = v.fma(FloatVector.broadcast(S, weights[t] * inv), sum);
                }
                sum.intoArray(acc, accOff + i);
            }
        }
        for (; i < n; i++) {
            float sum = 0f;
            for (int t = 0; t < len; t++) {
                long at = (long) slots[t] * valueDim + off + i;
                float v = f32 ? seg.getAtIndex(F32, at) : Float.float16ToFloat(seg.getAtIndex(F16, at));
                sum += weights[t] * inv * v;
            }
            acc[accOff + i] = sum;
        }
    }

    /**
     * One query head's causal attention over positions {@code 0 .. len - 1} of one sequence, position
     * {@code t} in slot {@code slots[t]}:
     * {@code out[outOff ..] = softmax(q . K_t * scale) . V_t} with K/V head {@code kvHead} (of
     * {@code headDim} and {@code valueHeadDim} elements), the softmax summed in double.
     * {@code scores} (at least {@code len} long) is scratch. An F16 cache is read the way
     * llama.cpp's flash attention computes it ({@link HalfAttention}: F16 query, online softmax with
     * an F16 accumulator), so greedy tokens match llama.cpp's (fidelity), its loops over the rows
     * {@code halfLoops} (Java or native, the same bits).
     */
    void attendHead(HalfAttentionLoops halfLoops, int layer, int[] slots, int len, int kvHead, float[] q, int qOff,
            int headDim, float scale, float[] scores, float[] out, int outOff, int valueHeadDim) {
        if (type == KvType.F16) {
            HalfAttention.attend(halfLoops, this, layer, slots, len, kvHead * headDim, q, qOff, headDim, scale, scores,
                    kvHead * valueHeadDim, out, outOff, valueHeadDim);
            return;
        }
        // s[t] = q . k_t * scale, then softmax over t
        scoreKeys(layer, slots, len, kvHead * headDim, q, qOff, headDim, scale, scores);
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < len; t++) {
            max = Math.max(max, scores[t]);
        }
        double sum = 0;
        for (int t = 0; t < len; t++) {
            float p = (float) Math.exp(scores[t] - max);
            scores[t] = p;
            sum += p;
        }
        float inv = (float) (1.0 / sum);
        // out = sum_t softmax(s)_t * v_t
        weightedValues(layer, slots, len, kvHead * valueHeadDim, scores, inv, out, outOff, valueHeadDim);
    }

    /** Layer {@code layer}'s K storage ({@link HalfAttention} reads it in place). */
    MemorySegment keySegment(int layer) {
        return keys[layer];
    }

    /** Layer {@code layer}'s V storage. */
    MemorySegment valueSegment(int layer) {
        return values[layer];
    }

    /** Reads the K row of {@code slot} into {@code dst} (tests, debugging). */
    public void readKey(int layer, int slot, float[] dst, int dstOff) {
        checkSlot(slot);
        load(keys[layer], (long) slot * keyDim, dst, dstOff, keyDim);
    }

    /** Reads the V row of {@code slot} into {@code dst}. */
    public void readValue(int layer, int slot, float[] dst, int dstOff) {
        checkSlot(slot);
        load(values[layer], (long) slot * valueDim, dst, dstOff, valueDim);
    }

    /** Copies slot {@code from} to slot {@code to} in every layer (copy-on-write of shared blocks). */
    public void copySlot(int from, int to) {
        checkSlot(from);
        checkSlot(to);
        long kBytes = (long) keyDim * type.bytesPerElement();
        long vBytes = (long) valueDim * type.bytesPerElement();
        for (int l = 0; l < layers; l++) {
            MemorySegment.copy(keys[l], from * kBytes, keys[l], to * kBytes, kBytes);
            MemorySegment.copy(values[l], from * vBytes, values[l], to * vBytes, vBytes);
        }
    }

    private void store(MemorySegment seg, long index, float[] src, int off, int n) {
        if (type == KvType.F32) {
            MemorySegment.copy(src, off, seg, F32, index * 4, n);
        } else {
            for (int i = 0; i < n; i++) {
                seg.setAtIndex(F16, index + i, Float.floatToFloat16(src[off + i]));
            }
        }
    }

    private void load(MemorySegment seg, long index, float[] dst, int off, int n) {
        if (type == KvType.F32) {
            MemorySegment.copy(seg, F32, index * 4, dst, off, n);
        } else {
            for (int i = 0; i < n; i++) {
                dst[off + i] = Float.float16ToFloat(seg.getAtIndex(F16, index + i));
            }
        }
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= slots) {
            throw new IndexOutOfBoundsException("KV slot " + slot + " outside the pool of " + slots + " slots");
        }
    }

    /** Frees the off-heap storage; the pool must not be used afterwards. */
    @Override
    public void close() {
        arena.close();
    }
}
