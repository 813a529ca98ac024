package ai.sluice.core.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A STREAM-like probe of the read bandwidth that decoding is bound by: every thread of the pool
 * sums its share of a large off-heap buffer with vector loads, as the matrix-vector kernels read
 * weights. Reports the median of several passes in bytes per second.
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private MemoryBandwidth() {
    }

    /**
     * Measures read bandwidth over a buffer of {@code bytes} (far larger than the caches, e.g. 1 GiB)
     * with the pool's threads; returns the median of {@code passes} timed passes after one warm-up.
     */
    public static double measureBytesPerSecond(KernelPool pool, long bytes, int passes) {
        long floats = bytes / Float.BYTES / S.length() * S.length();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(floats * Float.BYTES, 64);
            buffer.fill((byte) 1); // touch every page so the timed passes read memory, not page faults
            int chunks = pool.threads() * 16;
            long perChunk = floats / chunks / S.length() * S.length();
            float[] sink = new float[chunks];
            double[] rates = new double[passes];
            for (int p = -1; p < passes; p++) {
                long t0 = System.nanoTime();
                pool.parallelFor(chunks, 1, (start, end) -> {
                    for (int c = start; c < end; c++) {
                        sink[c] = sum(buffer, c * perChunk, perChunk);
                    }
                });
                long t1 = System.nanoTime();
                if (p >= 0) {
                    rates[p] = (double) perChunk * chunks * Float.BYTES / ((t1 - t0) / 1e9);
                }
            }
            if (Float.isNaN(sink[0])) {
                throw new AssertionError("unreachable: keeps the sums alive");
            }
            Arrays.sort(rates);
            return rates[passes / 2];
        }
    }

    /** Sum of {@code count} floats from element {@code from}, four accumulators to hide add latency. */
    private static float sum(MemorySegment m, long from, long count) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        long step = S.length() * 4L;
        long end = from + count / step * step;
        long i = from;
        for (; i < end; i += step) {
            a0 = a0.add(FloatVector.fromMemorySegment(S, m, i * 4, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(S, m, (i + S.length()) * 4, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(S, m, (i + 2L * S.length()) * 4, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(S, m, (i + 3L * S.length()) * 4, ByteOrder.LITTLE_ENDIAN));
        }
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < from + count; i++) {
            s += m.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
        }
        return s;
    }
}
