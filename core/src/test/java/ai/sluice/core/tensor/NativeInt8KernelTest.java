package ai.sluice.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.nativelib.NativeLevel;
import ai.sluice.core.nativelib.NativeLibrary;
import ai.sluice.core.nativelib.NativeUnavailableException;
import ai.sluice.core.testing.NativeKernels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native Q8_0/Q4_0 kernels against the Java ones: the same bits for every entry, on random
 * weights and activations of many shapes (rows that are not a multiple of any tile, one to several
 * hundred blocks per row) and batches (one; below, at and above every tile size), at each
 * instruction-set level this CPU runs (AVX2 even on an AVX-512 machine).
 */
class NativeInt8KernelTest {
    private static final CpuBackend JAVA = new CpuBackend(new KernelPool(2), KernelChoice.JAVA);

    @AfterAll
    static void close() {
        JAVA.close();
    }

    /** Each level on repacked weights (the default) and on the file's layout ({@code SLUICE_NATIVE_REPACK=0}). */
    @ParameterizedTest(name = "{0} at {1}, repacked {2}")
    @CsvSource({"Q8_0, avx2, true", "Q4_0, avx2, true", "Q8_0, avx-vnni, true", "Q4_0, avx-vnni, true",
            "Q8_0, avx512-vnni, true", "Q4_0, avx512-vnni, true", "Q8_0, avx2, false", "Q4_0, avx2, false",
            "Q8_0, avx-vnni, false", "Q4_0, avx-vnni, false", "Q8_0, avx512-vnni, false", "Q4_0, avx512-vnni, false"})
    void everyEntryHasTheBitsOfTheJavaKernels(GgmlType type, String levelName, boolean repack) {
        NativeLevel level = NativeKernels.requireLevel(levelName);
        try (CpuBackend nat = new CpuBackend(new KernelPool(2), NativeInt8Kernel.load(level, repack))) {
            assertThat(nat.int8Kernels()).isEqualTo("native " + levelName + (repack ? "" : " (file layout)"));
            // rows that are multiples of 8 and not: Q4_0 takes llama.cpp's vec_dot order in the latter (LlamaVecDotOrder)
            int[][] shapes = {{1, 32}, {3, 64}, {8, 96}, {17, 256}, {40, 2048}, {33, 64}};
            long seed = 1;
            for (int[] shape : shapes) {
                int rows = shape[0];
                int cols = shape[1];
                WeightMatrix w = WeightMatrixTest.make(type, rows, cols, seed++).matrix();
                for (int batch : new int[] {1, 2, 3, 5, 16, 19}) {
                    float[] x = activations(batch * cols, seed++);
                    float[] expected = new float[batch * rows];
                    float[] actual = new float[batch * rows];
                    JAVA.matmul(w, x, batch, expected);
                    nat.matmul(w, x, batch, actual);
                    for (int i = 0; i < expected.length; i++) {
                        assertThat(Float.floatToRawIntBits(actual[i]))
                                .as("%s batch %d entry %d row %d: %s vs %s", w, batch, i / rows, i % rows, actual[i], expected[i])
                                .isEqualTo(Float.floatToRawIntBits(expected[i]));
                    }
                }
            }
        }
    }

    /**
     * A batch larger than the native kernels' token block (512 KiB of int16 quants: 32 tokens of
     * 8192 columns), so the rows pass over two blocks of tokens: still the Java path's bits.
     */
    @ParameterizedTest(name = "{0}, repacked {1}")
    @CsvSource({"Q8_0, true", "Q4_0, true", "Q8_0, false", "Q4_0, false"})
    void batchesSplitIntoTokenBlocksKeepTheBits(GgmlType type, boolean repack) {
        NativeLibrary lib = NativeKernels.requireLibrary();
        int rows = 9;
        int cols = 8192;
        int batch = 37;
        WeightMatrix w = WeightMatrixTest.make(type, rows, cols, 21).matrix();
        float[] x = activations(batch * cols, 22);
        float[] expected = new float[batch * rows];
        float[] actual = new float[batch * rows];
        JAVA.matmul(w, x, batch, expected);
        try (CpuBackend nat = new CpuBackend(new KernelPool(2), NativeInt8Kernel.load(lib.cpuLevel(), repack))) {
            nat.matmul(w, x, batch, actual);
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).as("entry %d row %d", i / rows, i % rows)
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }

    /** Offsets into input and output (the engine's per-sequence slices) reach the native kernels intact, on both layouts. */
    @ParameterizedTest(name = "repacked {0}")
    @CsvSource({"true", "false"})
    void offsetsIntoTheInputAndOutputAreHonoured(boolean repack) {
        NativeLibrary lib = NativeKernels.requireLibrary();
        int rows = 19;
        int cols = 128;
        WeightMatrix w = WeightMatrixTest.make(GgmlType.Q4_0, rows, cols, 9).matrix();
        float[] x = activations(5 * cols, 3);
        try (CpuBackend nat = new CpuBackend(new KernelPool(2), NativeInt8Kernel.load(lib.cpuLevel(), repack))) {
            float[] expected = new float[3 * rows + 7];
            float[] actual = new float[3 * rows + 7];
            JAVA.matmul(w, x, 2 * cols, 3, expected, 7);
            nat.matmul(w, x, 2 * cols, 3, actual, 7);
            assertThat(actual).containsExactly(expected);
            assertThat(actual[0]).isZero();
            assertThat(actual[7]).isNotZero();
        }
    }

    /**
     * Repacking drops the mapped original's pages from this process (its Rss in /proc/self/smaps
     * falls from the whole matrix to at most the two partial pages at its ends), and what reads the
     * original afterwards (here the Java kernels) faults it back in from the file, unchanged.
     */
    @Test
    void repackingDropsTheMappedOriginalFromResidentMemoryAndKeepsItsBytes(@TempDir Path dir) throws IOException {
        NativeKernels.requireLibrary();
        int rows = 64;
        int cols = 4096;
        WeightMatrix made = WeightMatrixTest.make(GgmlType.Q8_0, rows, cols, 5).matrix();
        Path file = dir.resolve("w.bin");
        Files.write(file, made.data().asSlice(0, made.byteSize()).toArray(ValueLayout.JAVA_BYTE));
        float[] x = activations(cols, 6);
        float[] before = new float[rows];
        float[] repacked = new float[rows];
        float[] after = new float[rows];
        try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                CpuBackend nat = new CpuBackend(new KernelPool(1), NativeInt8Kernel.load(NativeLibrary.load().cpuLevel()))) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, made.byteSize(), arena);
            WeightMatrix w = WeightMatrix.of("w", GgmlType.Q8_0, rows, cols, mapped);
            JAVA.matmul(w, x, 1, before); // reads every page
            assertThat(residentKib(mapped)).isGreaterThanOrEqualTo(made.byteSize() / 1024 - 8);
            nat.matmul(w, x, 1, repacked);
            assertThat(residentKib(mapped)).isLessThanOrEqualTo(8);
            JAVA.matmul(w, x, 1, after);
        }
        assertThat(repacked).containsExactly(before);
        assertThat(after).containsExactly(before);
    }

    /** Rss of the mapping that holds {@code segment}, from /proc/self/smaps. */
    private static long residentKib(MemorySegment segment) throws IOException {
        long at = segment.address();
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                inside = Long.parseUnsignedLong(range[0], 16) <= at && at < Long.parseUnsignedLong(range[1], 16);
            } else if (inside && line.startsWith("Rss:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no mapping holds " + Long.toHexString(at));
    }

    @Test
    void theLevelCapNamesItsLevels() {
        assertThat(NativeLevel.parse("AVX2")).isEqualTo(NativeLevel.AVX2);
        assertThat(NativeLevel.parse(" avx512-vnni ")).isEqualTo(NativeLevel.AVX512_VNNI);
        assertThat(NativeLevel.AVX512_VNNI.min(NativeLevel.AVX2)).isEqualTo(NativeLevel.AVX2);
        assertThatThrownBy(() -> NativeLevel.parse("sse4")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SLUICE_NATIVE_LEVEL=sse4").hasMessageContaining("avx2, avx-vnni, avx512-vnni");
    }

    /**
     * A level above the CPU's is refused in one line, not run (it would die on an illegal instruction): the
     * rule on every pair of levels, so it is checked whatever this machine runs, and the library applies it.
     */
    @Test
    void aLevelTheCpuLacksIsRefused() {
        for (NativeLevel cpu : NativeLevel.values()) {
            for (NativeLevel wanted : NativeLevel.values()) {
                if (wanted.compareTo(cpu) > 0) {
                    assertThatThrownBy(() -> wanted.requireRunsOn(cpu)).isInstanceOf(NativeUnavailableException.class)
                            .hasMessage("this CPU runs native level " + cpu.label() + ", not " + wanted.label());
                } else {
                    wanted.requireRunsOn(cpu); // at or below the CPU's level: runs
                }
            }
        }
        NativeLibrary lib = NativeKernels.requireLibrary();
        assertThat(NativeInt8Kernel.load(lib.cpuLevel()).level()).isEqualTo(lib.cpuLevel());
    }

    @Test
    void kernelChoicesParseAndExplainTheirMistakes() {
        assertThat(KernelChoice.parse("Native")).isEqualTo(KernelChoice.NATIVE);
        assertThat(KernelChoice.AUTO).hasToString("auto");
        assertThatThrownBy(() -> KernelChoice.parse("cuda")).hasMessage("kernels 'cuda': expected auto, java or native");
    }

    static float[] activations(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // varied magnitudes per block, some blocks all zero (scale 0)
            x[i] = i / 32 % 11 == 10 ? 0f : (float) (rnd.nextGaussian() * (1 + (i % 29)));
        }
        return x;
    }
}
