package ai.sluice.gateway;

import java.net.URI;
import java.util.List;

/**
 * One pool as configured: replicas the gateway health-checks and balances ({@code replicas}), or one external
 * provider ({@code external}); what its tokens cost; when its traffic spills to the next pool.
 *
 * @param name     the pool's name (in data classes, the x-sluice-pool header, metrics)
 * @param labels   free-form labels (onprem, cloud, external, gpu-a100, ...), shown by --explain
 * @param replicas replica base URLs; empty for an external pool
 * @param external the provider, or null for a pool of replicas
 * @param prices   what one token costs here
 * @param spill    when this pool's traffic goes to the next allowed pool, and when it comes back
 */
public record PoolSpec(String name, List<String> labels, List<URI> replicas, ExternalApi external, Prices prices,
                       Spill spill) {
    public PoolSpec {
        labels = List.copyOf(labels);
        replicas = List.copyOf(replicas);
    }

    public boolean isExternal() {
        return external != null;
    }

    /**
     * Why this pool's provider cannot take {@code path} for {@code model} (null: it can, or the pool is replicas,
     * whose models are known only once they answer).
     */
    public String providerCannotServe(String path, String model) {
        if (external == null) {
            return null;
        }
        if (external.wire() == ExternalApi.Wire.ANTHROPIC && !path.equals("/v1/chat/completions")) {
            return "it speaks Anthropic's Messages API, which has no " + path;
        }
        if (!path.startsWith("/v1/")) {
            return "a provider has no " + path;
        }
        if (external.theirModel(model) == null) {
            return "its models: map has no entry for " + (model == null ? "a request without a model" : model);
        }
        return null;
    }

    /**
     * Dollars per million input and output tokens. A pool priced by the replica-hour is converted once, at load:
     * {@code $/hour / (measured output tokens/s x 3600) x 1e6} per output token, input free (its compute is in the
     * hour already).
     */
    public record Prices(double inputPerMillion, double outputPerMillion) {
        public static final Prices FREE = new Prices(0, 0);

        public double dollars(long inputTokens, long outputTokens) {
            return (inputTokens * inputPerMillion + outputTokens * outputPerMillion) / 1e6;
        }

        static Prices perReplicaHour(double dollarsPerHour, double outputTokensPerSecond) {
            return new Prices(0, dollarsPerHour / (outputTokensPerSecond * 3600) * 1e6);
        }
    }

    /**
     * Overflow with hysteresis: traffic spills to the next allowed pool once the pool's replicas report
     * {@code atWaiting} or more requests waiting in all (summed {@code vllm:num_requests_waiting}), or once the
     * predicted wait of a new request reaches {@code atWaitMs}; it comes back once both are down to their
     * {@code backAt} values. Infinite thresholds: that signal is not used. {@link #NEVER}: the pool takes
     * everything it can.
     */
    public record Spill(double atWaiting, double backAtWaiting, double atWaitMs, double backAtWaitMs) {
        public static final Spill NEVER = new Spill(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);

        public boolean never() {
            return Double.isInfinite(atWaiting) && Double.isInfinite(atWaitMs);
        }
    }
}
