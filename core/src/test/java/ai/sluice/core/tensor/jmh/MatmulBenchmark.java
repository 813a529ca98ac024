package ai.sluice.core.tensor.jmh;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.format.RowCodec;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The kernels behind the forward pass: {@code out = W x} over a batch of activations, per storage
 * type, at the projection shapes of the 110m (dim 768, FFN 2048) and 1b (dim 2048, FFN 5632)
 * models. Batch 1 is decode (bound by reading W), batch 32 a prefill tile (bound by arithmetic).
 * Weights are off-heap like a mapped file. Run with {@code bench/jmh.sh} (profile {@code jmh}); e.g.
 * native vs Java on one pinned core: {@code taskset -c 0 bench/jmh.sh MatmulBenchmark -p threads=1
 * -p type=Q8_0,Q4_0 -p shape=2048x2048,5632x2048}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulBenchmark {
    /** rows x cols: 110m q/k/v/o and FFN up; 1b q/o and FFN up. */
    @Param({"768x768", "2048x768", "2048x2048", "5632x2048"})
    public String shape;

    @Param({"F32", "F16", "Q8_0", "Q4_0"})
    public String type;

    @Param({"1", "32"})
    public int batch;

    /** Which Q8_0/Q4_0 kernels: java (Vector API) or native (libsluice); F32/F16 run in Java either way. */
    @Param({"java", "native"})
    public String kernels;

    /** Kernel threads; 0 means one per core. */
    @Param("0")
    public int threads;

    private Arena arena;
    private CpuBackend backend;
    private WeightMatrix w;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        String[] rc = shape.split("x");
        int rows = Integer.parseInt(rc[0]);
        int cols = Integer.parseInt(rc[1]);
        GgmlType t = GgmlType.valueOf(type);
        SplittableRandom rnd = new SplittableRandom(7);
        RowCodec codec = RowCodec.of(t);
        long rowBytes = t.byteSize(cols);
        arena = Arena.ofShared();
        MemorySegment data = arena.allocate(rowBytes * rows, 64);
        float[] row = new float[cols];
        byte[] encoded = new byte[Math.toIntExact(rowBytes)];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) rnd.nextDouble(-0.1, 0.1);
            }
            codec.encode(row, 0, cols, encoded, 0);
            MemorySegment.copy(MemorySegment.ofArray(encoded), 0, data, rowBytes * r, rowBytes);
        }
        w = WeightMatrix.of(shape, t, rows, cols, data);
        x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        out = new float[batch * rows];
        backend = new CpuBackend(threads > 0 ? new KernelPool(threads) : KernelPool.sizedToCores(),
                KernelChoice.parse(kernels));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
        arena.close();
    }

    @Benchmark
    public float[] matmul() {
        backend.matmul(w, x, batch, out);
        return out;
    }
}
