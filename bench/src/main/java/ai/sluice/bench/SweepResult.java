package ai.sluice.bench;

import java.util.List;

/**
 * A sweep over Poisson rates.
 *
 * @param bestRate the highest rate whose step met the SLOs; null if none did
 */
public record SweepResult(List<Step> steps, Double bestRate, HpaAdvice hpa) {

    /**
     * One rate of the sweep.
     *
     * @param meetsSlo  no failed request and, when SLOs are given, at least the required fraction met them all
     * @param meanQueue mean {@code vllm:num_requests_waiting} during the step; NaN when the server exposes none
     */
    public record Step(double rate, boolean meetsSlo, double meanQueue, double maxQueue, BenchResult result) {
    }

    /** Whether a step's result passes: no errors and the SLO attainment reached. */
    public static boolean meets(BenchResult r, Slo slo) {
        if (r.failed() > 0) {
            return false;
        }
        return !slo.any() || r.sloAttainment() >= slo.attainment();
    }
}
