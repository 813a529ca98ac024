package ai.sluice.core.tensor.jmh;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.tensor.NativeLayouts;
import ai.sluice.core.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Java against native Q8_0/Q4_0 kernels on a busy machine: one thread, calls rotating between the
 * Java kernels, the native ones on the file's layout and the native ones on repacked weights
 * (the default), each timed in the calling thread's CPU time, which a
 * wait for the core does not inflate (wall-clock JMH figures on a shared machine move by 2x). Prints
 * per shape, type and batch the median CPU time of each and the ratios to Java. Not a JMH benchmark: run by
 * {@code CPU_TIME=1 bench/native-vs-java.sh}.
 */
public final class KernelCpuTime {
    private KernelCpuTime() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 31;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "%-10s %-5s %5s %9s %9s %9s %7s %7s %9s %9s %9s%n", "shape", "type", "batch",
                "java us", "file us", "r4 us", "file x", "r4 x", "java ns", "file ns", "r4 ns");
        try (Arena arena = Arena.ofConfined(); CpuBackend java = new CpuBackend(new KernelPool(1), KernelChoice.JAVA);
                CpuBackend file = NativeLayouts.fileLayout(new KernelPool(1));
                CpuBackend nat = new CpuBackend(new KernelPool(1), KernelChoice.NATIVE)) {
            CpuBackend[] variants = {java, file, nat};
            System.out.println("CPU time per call, one thread; java vs " + file.int8Kernels() + " vs " + nat.int8Kernels()
                    + " (r4: repacked); ns per block of 32 weights and token");
            for (String shape : new String[] {"2048x2048", "5632x2048"}) {
                for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
                    WeightMatrix w = MatmulBenchmark.randomMatrix(arena, shape, type);
                    for (int batch : new int[] {1, 32}) {
                        float[] x = new float[batch * w.cols()];
                        SplittableRandom rnd = new SplittableRandom(batch);
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) rnd.nextDouble(-1, 1);
                        }
                        float[] out = new float[batch * w.rows()];
                        long[][] ns = new long[3][calls];
                        for (int i = -5; i < calls; i++) { // 5 warm-up rounds (the first repacks)
                            for (int k = 0; k < 3; k++) {
                                int which = Math.floorMod(i + k, 3); // rotate who goes first
                                long c0 = mx.getCurrentThreadCpuTime();
                                variants[which].matmul(w, x, batch, out);
                                long c1 = mx.getCurrentThreadCpuTime();
                                if (i >= 0) {
                                    ns[which][i] = c1 - c0;
                                }
                            }
                        }
                        double j = median(ns[0]) / 1e3;
                        double f = median(ns[1]) / 1e3;
                        double n = median(ns[2]) / 1e3;
                        double blocks = (double) w.rows() * w.cols() / 32 * batch;
                        System.out.printf(Locale.ROOT, "%-10s %-5s %5d %9.1f %9.1f %9.1f %6.2fx %6.2fx %9.3f %9.3f %9.3f%n",
                                shape, type, batch, j, f, n, j / f, j / n, j * 1e3 / blocks, f * 1e3 / blocks, n * 1e3 / blocks);
                    }
                }
            }
        }
    }

    /** The median, or with {@code KERNEL_CPU_TIME_MIN=1} the least (the least disturbed call on a busy machine). */
    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        if ("1".equals(System.getenv("KERNEL_CPU_TIME_MIN"))) {
            return s[0];
        }
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

}
