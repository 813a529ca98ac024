package ai.sluice.bench;

import java.time.Duration;

/**
 * Service-level objectives a request must meet to count towards goodput. A null bound is not checked.
 *
 * @param attainment fraction of requests that must meet every SLO for a sweep step to pass (e.g. 0.95)
 */
public record Slo(Duration ttft, Duration tpot, double attainment) {
    public Slo {
        if (!(attainment > 0 && attainment <= 1)) {
            throw new BenchException("SLO attainment must be in (0, 1], got " + attainment);
        }
    }

    public static Slo none() {
        return new Slo(null, null, 1.0);
    }

    public boolean any() {
        return ttft != null || tpot != null;
    }

    /**
     * Whether a successful request meets every SLO. As in vLLM, a request with fewer than two output tokens has a
     * TPOT of 0 for this check.
     */
    public boolean metBy(RequestRecord r) {
        if (!r.ok()) {
            return false;
        }
        if (ttft != null && r.ttftNanos() > ttft.toNanos()) {
            return false;
        }
        if (tpot != null) {
            double t = r.tpotNanos();
            if (!Double.isNaN(t) && t > tpot.toNanos()) {
                return false;
            }
        }
        return true;
    }

    public boolean ttftMetBy(RequestRecord r) {
        return r.ok() && (ttft == null || r.ttftNanos() <= ttft.toNanos());
    }
}
