package ai.sluice.plan;

/** How cloud rent is paid: the assumption behind every cloud figure of a plan, printed with it. */
public enum CloudBilling {
    /**
     * Only for the busy hours (utilization x 730 h a month): on-demand instances started and stopped with the
     * load, or autoscaling to zero. The default.
     */
    BUSY_HOURS("billed per busy hour"),
    /** Around the clock (730 h a month) whatever the utilization: a reserved or always-on instance. */
    RESERVED("reserved around the clock");

    private final String description;

    CloudBilling(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
