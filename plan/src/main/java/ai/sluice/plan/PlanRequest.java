package ai.sluice.plan;

/**
 * What to plan for.
 *
 * @param model the model's shape
 * @param precision weight format; null = the model file's own bytes
 * @param kvPrecision KV cache element precision
 * @param context tokens of context each sequence may hold (prompt + output)
 * @param concurrency sequences served at once
 * @param hardware the device to run on
 * @param utilization fraction of hours the deployment is busy (0..1]
 * @param amortizationMonths months over which a purchase is written off
 * @param electricityUsdPerKwh electricity price for on-prem power, or null to leave power out
 * @param cloudBilling whether cloud rent is paid for busy hours only or around the clock
 */
public record PlanRequest(ModelSpec model, Precision precision, KvPrecision kvPrecision, int context, int concurrency,
                          HardwareSpec hardware, double utilization, int amortizationMonths,
                          Double electricityUsdPerKwh, CloudBilling cloudBilling) {

    public static final double DEFAULT_UTILIZATION = 0.40;
    public static final int DEFAULT_AMORTIZATION_MONTHS = 36;

    /** A request with cloud rent paid for busy hours only ({@link CloudBilling#BUSY_HOURS}). */
    public PlanRequest(ModelSpec model, Precision precision, KvPrecision kvType, int context, int concurrency,
                       HardwareSpec hardware, double utilization, int amortizationMonths, Double electricityUsdPerKwh) {
        this(model, precision, kvType, context, concurrency, hardware, utilization, amortizationMonths,
                electricityUsdPerKwh, CloudBilling.BUSY_HOURS);
    }

    public PlanRequest {
        if (cloudBilling == null) {
            cloudBilling = CloudBilling.BUSY_HOURS;
        }
        if (context < 1) {
            throw new PlanException("PlanRequest.context must be at least 1 token, got " + context);
        }
        if (model.contextLength() > 0 && context > model.contextLength()) {
            throw new PlanException("PlanRequest.context " + context + " exceeds " + model.name() + "'s trained context of "
                    + model.contextLength() + " tokens; use PlanRequest.context " + model.contextLength() + " or less");
        }
        if (concurrency < 1) {
            throw new PlanException("PlanRequest.concurrency must be at least 1, got " + concurrency);
        }
        if (!(utilization > 0 && utilization <= 1)) {
            throw new PlanException("PlanRequest.utilization must be in (0, 1], got " + utilization);
        }
        if (amortizationMonths < 1) {
            throw new PlanException("PlanRequest.amortizationMonths must be at least 1, got " + amortizationMonths);
        }
        if (electricityUsdPerKwh != null && electricityUsdPerKwh < 0) {
            throw new PlanException("PlanRequest.electricityUsdPerKwh must not be negative");
        }
    }
}
