package ai.sluice.plan;

import java.util.Locale;

/** The one-line verdict at the end of a plan: what to run it on, and whether to rent or buy. */
final class Recommendation {
    private Recommendation() {
    }

    /**
     * @param maxConcurrencyWider the most sequences at twice the tensor-parallel degree (0 if that
     *     degree is not possible), offered when the plan leaves little room
     */
    static String of(Plan plan, HardwareSpec hw, int maxConcurrencyWider) {
        Plan.Inputs in = plan.inputs();
        Plan.Parallelism p = plan.parallelism();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%d x %s%s", p.tensorParallel(), hw.name(),
                p.tensorParallel() > 1 ? " (TP " + p.tensorParallel() + ")" : ""));
        if (p.nodes() > 1) {
            s.append(" across ").append(p.nodes()).append(" servers (slow interconnect: consider pipeline parallel)");
        }
        s.append(String.format(Locale.ROOT, " serves %d x %,d tokens (up to %d sequences), ~%.0f tok/s each",
                in.concurrency(), in.context(), p.maxConcurrency(),
                plan.throughput().decodeTokensPerSecondPerSequence()));
        Plan.Cost c = plan.cost();
        if (c.cloudUsdPerMonth() != null && c.onPremUsdPerMonth() != null) {
            Integer be = c.breakEvenMonth();
            if (be != null && be <= in.amortizationMonths()) {
                s.append(String.format(Locale.ROOT, "; buying pays off in month %d at %.0f%% utilization", be,
                        in.utilization() * 100));
            } else {
                s.append(String.format(Locale.ROOT, "; rent: buying does not pay off within %d months at %.0f%%"
                        + " utilization", in.amortizationMonths(), in.utilization() * 100));
            }
        }
        if (in.concurrency() * 2 <= p.maxConcurrency()) {
            s.append("; memory is left for more concurrency");
        } else if (p.maxConcurrency() < in.concurrency() * 1.25 && maxConcurrencyWider > p.maxConcurrency()) {
            s.append(String.format(Locale.ROOT, "; memory is tight: TP %d would fit %d sequences",
                    p.tensorParallel() * 2, maxConcurrencyWider));
        }
        return s.toString();
    }
}
