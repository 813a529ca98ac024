package ai.sluice.core.tensor;

import ai.sluice.core.nativelib.NativeLevel;
import ai.sluice.core.nativelib.NativeLibrary;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@link HalfAttention}'s loops in C ({@code core/src/main/c/sluice_attention.c}): the same
 * arithmetic as {@link JavaAttentionLoops}, so the same bits, with the F16 rows converted by F16C
 * and the accumulator kept in registers. The cache goes down as the off-heap segment it is; the
 * query, scores, weights and output as heap arrays ({@link Linker.Option#critical}: read in place,
 * the GC waits for the call, one head's positions), the positions' slots among them.
 *
 * <p>Thread-safe: no state but the downcall handles.
 */
final class NativeAttentionLoops implements HalfAttentionLoops {
    /** The loops' numbers in {@code sluice_dispatch.c}. */
    private static final int HALF_SCORES = 7;
    private static final int HALF_VALUES = 8;

    /** (keys, stride, slots, len, off, q, n, scale, lanes, scores) -> void */
    private static final FunctionDescriptor SCORES = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
    /** (values, stride, slots, len, off, rescale, weight, out, n) -> void */
    private static final FunctionDescriptor VALUES = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT);

    private final MethodHandle scores;
    private final MethodHandle values;
    private final NativeLevel level;
    private final int lanes;

    private NativeAttentionLoops(NativeLibrary lib, NativeLevel level, int lanes) {
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        this.scores = linker.downcallHandle(lib.kernel(level, HALF_SCORES), SCORES, critical);
        this.values = linker.downcallHandle(lib.kernel(level, HALF_VALUES), VALUES, critical);
        this.level = level;
        this.lanes = lanes;
    }

    /**
     * The loops at {@code level}, summing scores over the Java path's lanes; null where the C code
     * has no such order (a Vector API shape other than 8 or 16 floats): then Java's loops run.
     */
    static NativeAttentionLoops load(NativeLevel level) {
        return at(level, JavaAttentionLoops.scoreLanes());
    }

    /** As {@link #load}, scores summed over {@code lanes} lanes (tests hold each width to its model). */
    static NativeAttentionLoops at(NativeLevel level, int lanes) {
        return lanes == 0 || lanes == 8 || lanes == 16 ? new NativeAttentionLoops(NativeLibrary.load(), level, lanes) : null;
    }

    @Override
    public void scores(MemorySegment keys, int keyDim, int[] slots, int len, int kOff, float[] qh, int n,
            float scale, float[] scores) {
        int sumLanes = n < JavaAttentionLoops.SCALAR_DOT ? 0 : lanes;
        try {
            this.scores.invokeExact(keys, (long) keyDim, MemorySegment.ofArray(slots), len, (long) kOff,
                    MemorySegment.ofArray(qh), n, scale, sumLanes, MemorySegment.ofArray(scores));
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    @Override
    public void values(MemorySegment values, int valueDim, int[] slots, int len, int vOff, float[] rescale,
            float[] weight, float[] out, int outOff, int vn) {
        try {
            this.values.invokeExact(values, (long) valueDim, MemorySegment.ofArray(slots), len, (long) vOff,
                    MemorySegment.ofArray(rescale), MemorySegment.ofArray(weight),
                    MemorySegment.ofArray(out).asSlice(Float.BYTES * (long) outOff), vn);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    @Override
    public String toString() {
        return "native " + level.label() + " (scores over " + (lanes == 0 ? "double" : lanes + " lanes") + ")";
    }
}
