package ai.sluice.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.sluice.core.gguf.GgmlType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiled kernels against a scalar double-precision reference, for every weight type and for
 * shapes that miss the tiles: 1 row, 1 column, row counts that are not a multiple of the row
 * tile, row lengths that are not a multiple of the vector width, odd batches. And the property
 * the engine relies on: an entry's bits do not depend on the batch, the threads or the path.
 */
class MatmulKernelTest {
    private static final CpuBackend ONE_THREAD = new CpuBackend(new KernelPool(1));
    private static final CpuBackend THREE_THREADS = new CpuBackend(new KernelPool(3));

    @AfterAll
    static void close() {
        ONE_THREAD.close();
        THREE_THREADS.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        long seed = 100;
        int[][] plain = {{1, 1}, {1, 9}, {4, 1}, {5, 7}, {7, 37}, {13, 100}, {33, 64}, {70, 129}};
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16)) {
            for (int[] s : plain) {
                out.add(Arguments.of(WeightMatrixTest.make(type, s[0], s[1], seed++)));
            }
        }
        int[][] blocks = {{1, 32}, {3, 64}, {4, 32}, {6, 96}, {37, 160}, {70, 256}};
        for (GgmlType type : List.of(GgmlType.Q8_0, GgmlType.Q4_0)) {
            for (int[] s : blocks) {
                out.add(Arguments.of(WeightMatrixTest.make(type, s[0], s[1], seed++)));
            }
        }
        for (GgmlType type : List.of(GgmlType.Q4_K, GgmlType.Q6_K)) {
            for (int[] s : new int[][] {{1, 256}, {6, 512}}) {
                out.add(Arguments.of(WeightMatrixTest.make(type, s[0], s[1], seed++)));
            }
        }
        return out.stream();
    }

    private static float[] input(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyOutputMatchesTheScalarReference(WeightMatrixTest.Case c) {
        WeightMatrix w = c.matrix();
        int rows = w.rows();
        int cols = w.cols();
        for (int batch : new int[] {1, 2, 3, 8}) {
            float[] x = input(batch * cols, rows + 31L * cols + batch);
            float[] out = new float[batch * rows];
            new MatmulKernel().rows(w, x, 0, batch, out, 0, 0, rows);
            for (int b = 0; b < batch; b++) {
                for (int r = 0; r < rows; r++) {
                    double ref = 0;
                    double mag = 0;
                    for (int j = 0; j < cols; j++) {
                        double p = (double) c.expected()[r * cols + j] * x[b * cols + j];
                        ref += p;
                        mag += Math.abs(p);
                    }
                    assertThat((double) out[b * rows + r]).as("batch %d of %d, row %d", b, batch, r)
                            .isCloseTo(ref, within(1e-5 * mag + 1e-6));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anEntryGetsTheSameBitsInAnyBatchOnAnyThreadCount(WeightMatrixTest.Case c) {
        WeightMatrix w = c.matrix();
        int rows = w.rows();
        int cols = w.cols();
        int batch = 5;
        float[] x = input(batch * cols, 7L * rows + cols);
        float[] together = new float[batch * rows];
        THREE_THREADS.matmul(w, x, batch, together);
        float[] pair = new float[2 * rows];
        ONE_THREAD.matmul(w, x, 2 * cols, 2, pair, 0);
        float[] single = new float[rows + 3];
        for (int b = 0; b < batch; b++) {
            // a batch of one takes the fused path (quantized bytes in place), batches the decoded tiles
            ONE_THREAD.matmul(w, x, b * cols, 1, single, 3);
            for (int r = 0; r < rows; r++) {
                assertThat(Float.floatToRawIntBits(together[b * rows + r]))
                        .as("entry %d row %d: batch of 5 on 3 threads vs alone on 1", b, r)
                        .isEqualTo(Float.floatToRawIntBits(single[3 + r]));
            }
        }
        for (int r = 0; r < rows; r++) {
            assertThat(pair[r]).as("row %d in a batch of 2", r).isEqualTo(together[2 * rows + r]);
            assertThat(pair[rows + r]).as("row %d in a batch of 2", r).isEqualTo(together[3 * rows + r]);
        }
    }
}
