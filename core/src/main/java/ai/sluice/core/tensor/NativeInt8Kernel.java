package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.nativelib.NativeLevel;
import ai.sluice.core.nativelib.NativeLibrary;
import ai.sluice.core.nativelib.NativeUnavailableException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@link Int8Kernel}'s products in C ({@code core/src/main/c/sluice_int8.c}): the same lanes, the
 * same roundings in the same order, so the same bits, at every level and batch size. The weights
 * go down as the mapped segments they are; the activations ({@link Int8Activations}: quants, block
 * scales, Q4_0 offsets) and the output as heap arrays, which {@link Linker.Option#critical} lets the
 * callee read in place (no copy; the GC waits for the call, a chunk of rows, to return).
 *
 * <p>Thread-safe and stateless: one instance serves every worker.
 */
final class NativeInt8Kernel {
    /** The kernels' numbers in {@code sluice_dispatch.c}. */
    private static final int Q8_0_ROWS = 0;
    private static final int Q4_0_ROWS = 1;

    /** (weights, rowBytes, cols, quants, scales, offsets, batch, out, outRows, rowStart, rowEnd) -> void */
    private static final FunctionDescriptor ROWS = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);

    private final NativeLevel level;
    private final MethodHandle q8;
    private final MethodHandle q4;

    private NativeInt8Kernel(NativeLibrary lib, NativeLevel level) {
        this.level = level;
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        this.q8 = linker.downcallHandle(lib.kernel(level, Q8_0_ROWS), ROWS, critical);
        this.q4 = linker.downcallHandle(lib.kernel(level, Q4_0_ROWS), ROWS, critical);
    }

    /**
     * The kernels at the highest level the CPU runs, capped by {@link NativeLevel#CAP_VARIABLE};
     * throws {@link NativeUnavailableException} where the library does not load.
     */
    static NativeInt8Kernel load() {
        NativeLibrary lib = NativeLibrary.load();
        return new NativeInt8Kernel(lib, lib.cpuLevel().min(NativeLevel.capFromEnvironment()));
    }

    /** The kernels at exactly {@code level} (tests compare levels on one machine). */
    static NativeInt8Kernel load(NativeLevel level) {
        return new NativeInt8Kernel(NativeLibrary.load(), level);
    }

    NativeLevel level() {
        return level;
    }

    /** As {@link Int8Kernel#rows}. */
    void rows(WeightMatrix w, Int8Activations x, int batch, float[] out, int outOff, int rowStart, int rowEnd) {
        MemorySegment o = MemorySegment.ofArray(out).asSlice(Float.BYTES * (long) outOff);
        MemorySegment quants = MemorySegment.ofArray(x.quants());
        MemorySegment scales = MemorySegment.ofArray(x.scales());
        MemorySegment offsets = MemorySegment.ofArray(x.nibbleOffsets());
        try {
            if (w.type() == GgmlType.Q8_0) {
                q8.invokeExact(w.data(), w.rowBytes(), w.cols(), quants, scales, offsets, batch, o, w.rows(), rowStart, rowEnd);
            } else {
                q4.invokeExact(w.data(), w.rowBytes(), w.cols(), quants, scales, offsets, batch, o, w.rows(), rowStart, rowEnd);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String toString() {
        return "native " + level.label();
    }
}
