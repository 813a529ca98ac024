package ai.sluice.bench;

import java.util.SplittableRandom;

/**
 * Gaps between arrivals of a Poisson process: independent exponential draws with mean 1/rate, from a seeded
 * generator so that a run can be repeated exactly.
 */
public final class PoissonArrivals {
    private final double rate;
    private final SplittableRandom random;

    public PoissonArrivals(double rate, long seed) {
        if (!(rate > 0)) {
            throw new BenchException("arrival rate must be > 0, got " + rate);
        }
        this.rate = rate;
        this.random = new SplittableRandom(seed);
    }

    /** The next gap in nanoseconds (0 for an infinite rate). Inverse CDF: -ln(1 - U) / rate with U in [0, 1). */
    public long nextGapNanos() {
        if (Double.isInfinite(rate)) {
            return 0;
        }
        return (long) (-Math.log1p(-random.nextDouble()) / rate * 1e9);
    }
}
