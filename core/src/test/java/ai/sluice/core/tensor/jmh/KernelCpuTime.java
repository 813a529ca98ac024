package ai.sluice.core.tensor.jmh;

import ai.sluice.core.gguf.GgmlType;
import ai.sluice.core.tensor.CpuBackend;
import ai.sluice.core.tensor.KernelChoice;
import ai.sluice.core.tensor.KernelPool;
import ai.sluice.core.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Java against native Q8_0/Q4_0 kernels on a busy machine: one thread, calls alternating between
 * the two (java, native, native, java, ...), each timed in the calling thread's CPU time, which a
 * wait for the core does not inflate (wall-clock JMH figures on a shared machine move by 2x). Prints
 * per shape, type and batch the median CPU time of each and the ratio. Not a JMH benchmark: run by
 * {@code CPU_TIME=1 bench/native-vs-java.sh}.
 */
public final class KernelCpuTime {
    private KernelCpuTime() {
    }

    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 31;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "%-10s %-5s %5s %12s %12s %7s %12s %13s%n", "shape", "type", "batch",
                "java cpu-us", "native cpu-us", "ratio", "java ns/blk", "native ns/blk");
        try (Arena arena = Arena.ofConfined(); CpuBackend java = new CpuBackend(new KernelPool(1), KernelChoice.JAVA);
                CpuBackend nat = new CpuBackend(new KernelPool(1), KernelChoice.NATIVE)) {
            System.out.println("java vs " + nat.int8Kernels());
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
                        long[][] ns = new long[2][calls];
                        for (int i = -5; i < calls; i++) { // 5 warm-up pairs
                            for (int k = 0; k < 2; k++) {
                                int which = (i & 1) == 0 ? k : 1 - k; // alternate who goes first
                                long c0 = mx.getCurrentThreadCpuTime();
                                (which == 0 ? java : nat).matmul(w, x, batch, out);
                                long c1 = mx.getCurrentThreadCpuTime();
                                if (i >= 0) {
                                    ns[which][i] = c1 - c0;
                                }
                            }
                        }
                        double j = median(ns[0]) / 1e3;
                        double n = median(ns[1]) / 1e3;
                        double blocks = (double) w.rows() * w.cols() / 32 * batch;
                        System.out.printf(Locale.ROOT, "%-10s %-5s %5d %12.1f %12.1f %6.2fx %12.3f %13.3f%n", shape, type,
                                batch, j, n, j / n, j * 1e3 / blocks, n * 1e3 / blocks);
                    }
                }
            }
        }
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

}
