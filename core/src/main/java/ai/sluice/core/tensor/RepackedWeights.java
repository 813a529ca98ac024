package ai.sluice.core.tensor;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.nativelib.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Q8_0 and Q4_0 matrices rewritten once, at first use, into the layout of the native kernels on
 * row-interleaved weights ({@code core/src/main/c/sluice_interleaved.c}: groups of 16 rows, per
 * block 4-byte chunks of the 16 rows side by side so that a vector lane is a row, then the group's
 * scales). The copy is as large as the original (per block and row the same 18 or 34 bytes), plus
 * the padding of the last group to 16 rows.
 *
 * <p>Memory: the copy lives in anonymous memory, and the mapped original's pages are then dropped
 * from this process ({@code madvise(MADV_DONTNEED)} on the whole pages inside the tensor), so the
 * weights are resident once, not twice; the file's pages stay in the page cache, which the kernel
 * may reclaim. Only read-only file mappings are dropped (heap or allocated segments are left alone,
 * for them {@code MADV_DONTNEED} would mean zeros); whatever still reads the original (an embedding
 * lookup in a tied output matrix) faults its pages back in from the file, unchanged.
 *
 * <p>Thread-safe: workers that meet a matrix first at the same time wait for one repack. The copies
 * live as long as this object (one per backend).
 */
final class RepackedWeights {
    private static final int MADV_DONTNEED = 4;
    private static final long PAGE = 4096;
    private static final MethodHandle MADVISE = madvise();

    private final MethodHandle bytes;
    private final MethodHandle repack;
    private final Map<WeightMatrix, MemorySegment> copies = new ConcurrentHashMap<>();

    /** Over the library's {@code sluice_i16_bytes} and {@code sluice_i16_repack}. */
    RepackedWeights(MethodHandle bytes, MethodHandle repack) {
        this.bytes = bytes;
        this.repack = repack;
    }

    /** {@code w} repacked (Q8_0 or Q4_0), made on the first call. */
    MemorySegment of(WeightMatrix w) {
        MemorySegment copy = copies.get(w);
        return copy != null ? copy : copies.computeIfAbsent(w, this::repack);
    }

    private MemorySegment repack(WeightMatrix w) {
        int q8 = w.type() == GgmlType.Q8_0 ? 1 : 0;
        try {
            long size = (long) bytes.invokeExact(q8, w.rows(), w.cols());
            // freed with the last reference: this map's, which lives as long as the backend
            MemorySegment copy = Arena.ofAuto().allocate(size, 64);
            repack.invokeExact(q8, w.data(), w.rowBytes(), w.rows(), w.cols(), copy);
            dropResidentPages(w.data().asSlice(0, w.byteSize()));
            return copy;
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    /** Drops a read-only file mapping's whole pages from this process (see the class comment). */
    static void dropResidentPages(MemorySegment original) {
        if (MADVISE == null || !original.isNative() || !original.isMapped() || !original.isReadOnly()) {
            return;
        }
        long start = (original.address() + PAGE - 1) / PAGE * PAGE;
        long end = (original.address() + original.byteSize()) / PAGE * PAGE;
        if (end <= start) {
            return;
        }
        try {
            // a failure (another page size) only leaves the pages resident: nothing to report
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_DONTNEED);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MethodHandle madvise() {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("madvise")
                .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)))
                .orElse(null);
    }
}
