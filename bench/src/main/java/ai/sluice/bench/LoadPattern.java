package ai.sluice.bench;

/** How requests are sent: the two load models of serving benchmarks. */
public sealed interface LoadPattern {

    String describe();

    /**
     * Open loop: requests arrive as a Poisson process at {@code rate} per second whatever the server does (seeded
     * exponential gaps); {@code Double.POSITIVE_INFINITY} sends all at once.
     */
    record OpenLoop(double rate, long seed) implements LoadPattern {
        public OpenLoop {
            if (!(rate > 0)) {
                throw new BenchException("--rate must be > 0 requests/s, got " + rate);
            }
        }

        @Override
        public String describe() {
            return Double.isInfinite(rate) ? "open loop, all at once" : "open loop, Poisson " + rate + " req/s";
        }
    }

    /** Closed loop: {@code concurrency} clients, each sending its next request when the previous one finishes. */
    record ClosedLoop(int concurrency) implements LoadPattern {
        public ClosedLoop {
            if (concurrency < 1) {
                throw new BenchException("--concurrency must be >= 1, got " + concurrency);
            }
        }

        @Override
        public String describe() {
            return "closed loop, concurrency " + concurrency;
        }
    }
}
