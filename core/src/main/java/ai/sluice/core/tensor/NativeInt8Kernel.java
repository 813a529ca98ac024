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
 * {@link Int8Kernel}'s products in C ({@code core/src/main/c}): the same "block total" order (per
 * block the exact integer sum, one FMA with the float product of the two scales, blocks in order),
 * so the same bits, at every level and batch size. The weights go down as the mapped segments
 * they are; the activations ({@link Int8Activations}) and the output as heap arrays, which {@link
 * Linker.Option#critical} lets the callee read in place (no copy; the GC waits for the call, a
 * chunk of rows, to return).
 *
 * <p>Two weight layouts, same bits: by default each matrix is rewritten at its first use ({@link
 * RepackedWeights}) into groups of 16 rows interleaved so that a vector lane is a row, and
 * multiplied with 8-bit dot products ({@code sluice_interleaved.c}), the activations packed once per
 * product to int8 plus one quant sum per block ({@link #prepare(Int8Activations, int)}); with
 * {@code SLUICE_NATIVE_REPACK=0} the kernels of {@code sluice_int8.c} read the mapped file in place
 * (kept for comparison and as the fallback for a row range that does not start on a group of 16).
 *
 * <p>Thread-safe: one instance serves every worker; its only state is the repacked copies.
 */
final class NativeInt8Kernel {
    /** The kernels' numbers in {@code sluice_dispatch.c}. */
    private static final int Q8_0_ROWS = 0;
    private static final int Q4_0_ROWS = 1;
    private static final int Q8_0_I16 = 2;
    private static final int Q4_0_I16 = 3;
    private static final int PACK_ACTIVATIONS = 4;
    private static final int I16_BYTES = 5;
    private static final int I16_REPACK = 6;
    /** Rows per group of the interleaved layout: a product on it starts on a group. */
    static final int GROUP = 16;
    /** Set to 0: the kernels on the file's layout, no repack (for comparisons). */
    static final String REPACK_VARIABLE = "SLUICE_NATIVE_REPACK";

    /** (weights, rowBytes, cols, quants, scales, offsets, batch, out, outRows, rowStart, rowEnd) -> void */
    private static final FunctionDescriptor ROWS = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    /** (interleaved, cols, int8 quants, scales, quant sums, batch, out, outRows, rowStart, rowEnd) -> void */
    private static final FunctionDescriptor I16 = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    /** (int16 quants, count, int8 quants then int32 sums out) -> void */
    private static final FunctionDescriptor PACK = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
            ValueLayout.ADDRESS);

    private final NativeLevel level;
    private final MethodHandle q8;
    private final MethodHandle q4;
    private final MethodHandle q8i16;
    private final MethodHandle q4i16;
    private final MethodHandle pack;
    /** The repacked copies, or null: the kernels on the file's layout only. */
    private final RepackedWeights repacked;

    private NativeInt8Kernel(NativeLibrary lib, NativeLevel level, boolean repack) {
        this.level = level;
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        this.q8 = linker.downcallHandle(lib.kernel(level, Q8_0_ROWS), ROWS, critical);
        this.q4 = linker.downcallHandle(lib.kernel(level, Q4_0_ROWS), ROWS, critical);
        this.q8i16 = linker.downcallHandle(lib.kernel(level, Q8_0_I16), I16, critical);
        this.q4i16 = linker.downcallHandle(lib.kernel(level, Q4_0_I16), I16, critical);
        this.pack = linker.downcallHandle(lib.kernel(level, PACK_ACTIVATIONS), PACK, critical);
        this.repacked = !repack ? null : new RepackedWeights(
                linker.downcallHandle(lib.kernel(level, I16_BYTES), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)),
                linker.downcallHandle(lib.kernel(level, I16_REPACK), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS)));
    }

    /**
     * The kernels at the highest level the CPU runs, capped by {@link NativeLevel#CAP_VARIABLE};
     * throws {@link NativeUnavailableException} where the library does not load.
     */
    static NativeInt8Kernel load() {
        NativeLibrary lib = NativeLibrary.load();
        return new NativeInt8Kernel(lib, lib.cpuLevel().min(NativeLevel.capFromEnvironment()),
                !"0".equals(System.getenv(REPACK_VARIABLE)));
    }

    /** The kernels at exactly {@code level}, on repacked weights (tests compare levels on one machine). */
    static NativeInt8Kernel load(NativeLevel level) {
        return load(level, true);
    }

    /** The kernels at exactly {@code level}, on repacked weights or on the file's layout. */
    static NativeInt8Kernel load(NativeLevel level, boolean repack) {
        return new NativeInt8Kernel(NativeLibrary.load(), level, repack);
    }

    /** Whether weights are repacked at first use (see the class comment). */
    boolean repacks() {
        return repacked != null;
    }

    /**
     * Repacks {@code w} now rather than at its first product (a backend's load-time hook; the
     * first product does it otherwise). Nothing for the file's layout or other types.
     */
    void prepare(WeightMatrix w) {
        if (repacked != null && Int8Kernel.multiplies(w.type())) {
            repacked.of(w);
        }
    }

    /**
     * Once per product, after {@code x} is quantized and before the workers run: the first
     * {@code elements} quants as int8, then per block of 32 the int32 sum of its quants (the
     * interleaved kernels' activations), in {@link Int8Activations#laneOrderBytes(int)}'s buffer.
     */
    void prepare(Int8Activations x, int elements) {
        if (repacked == null) {
            return;
        }
        try {
            pack.invokeExact(MemorySegment.ofArray(x.quants()), (long) elements,
                    MemorySegment.ofArray(x.laneOrderBytes(elements + elements / Int8Activations.BLOCK * Integer.BYTES)));
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    NativeLevel level() {
        return level;
    }

    /** As {@link Int8Kernel#rows}, {@code x} {@link #prepare(Int8Activations, int) prepared}. */
    void rows(WeightMatrix w, Int8Activations x, int batch, float[] out, int outOff, int rowStart, int rowEnd) {
        MemorySegment o = MemorySegment.ofArray(out).asSlice(Float.BYTES * (long) outOff);
        MemorySegment scales = MemorySegment.ofArray(x.scales());
        MemorySegment offsets = MemorySegment.ofArray(x.nibbleOffsets());
        try {
            // a Q4_0 matrix llama.cpp does not repack takes its vec_dot order, which the file-layout kernel has
            if (repacked != null && rowStart % GROUP == 0 && !LlamaVecDotOrder.applies(w)) {
                MemorySegment r = repacked.of(w);
                MemorySegment packed = MemorySegment.ofArray(x.laneOrderBytes());
                MemorySegment sums = packed.asSlice((long) batch * w.cols()); // after the quants (see prepare)
                if (w.type() == GgmlType.Q8_0) {
                    q8i16.invokeExact(r, w.cols(), packed, scales, sums, batch, o, w.rows(), rowStart, rowEnd);
                } else {
                    q4i16.invokeExact(r, w.cols(), packed, scales, sums, batch, o, w.rows(), rowStart, rowEnd);
                }
                return;
            }
            MemorySegment quants = MemorySegment.ofArray(x.quants());
            if (w.type() == GgmlType.Q8_0) {
                q8.invokeExact(w.data(), w.rowBytes(), w.cols(), quants, scales, offsets, batch, o, w.rows(), rowStart, rowEnd);
            } else {
                q4.invokeExact(w.data(), w.rowBytes(), w.cols(), quants, scales, offsets, batch, o, w.rows(), rowStart, rowEnd);
            }
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    @Override
    public String toString() {
        return "native " + level.label() + (repacked != null ? "" : " (file layout)");
    }
}
