package ai.sluice.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Everything the gateway is told at start. Built from flags ({@link #of}) or a YAML file ({@link GatewayConfigFile}).
 *
 * @param replicas              replica base URLs (http://host:port)
 * @param healthInterval        how often each replica's /health is asked
 * @param healthTimeout         a /health answer slower than this is a failed check
 * @param scrapeInterval        how often each replica's /metrics is read for its load
 * @param firstByteTimeout      a replica that sends no response headers within this is failed over (retried elsewhere)
 * @param streamStallTimeout    a stream that sends nothing for this long is treated as dropped (and resumed)
 * @param holdTimeout           how long a request waits for a ready replica before a 503 with Retry-After
 * @param ejectAfterFailures    consecutive 5xx/timeouts that eject a replica (a refused connection ejects at once)
 * @param ejectBase             first ejection; each further one doubles, up to {@code ejectMax}
 * @param maxAttempts           most replicas one request tries before it fails
 * @param retryBudgetRatio      retries allowed per request over time (0.5: one retry per two requests)
 * @param retryBudgetMinPerSec  retries always allowed per second, whatever the ratio says
 * @param affinityPrefixChars   how much of the prompt (when there is no {@code user}) picks the affinity replica
 * @param affinityLoadFactor    bounded load: the affinity replica is skipped when busier than this times the mean
 * @param resume                continue a stream a replica dropped on another replica
 * @param resolveInterval       how often replica host names are resolved again (one replica per address: a
 *                              Kubernetes headless Service lists one per pod); IP literals and localhost are not
 * @param auth                  client keys the gateway accepts, and the key it sends replicas
 * @param tls                   the gateway's certificate when it listens on HTTPS; null: plain HTTP
 * @param policy                pools, data classes and named keys with limits; null: one pool of {@code replicas}
 */
public record GatewayConfig(String host, int port, List<URI> replicas, Duration healthInterval, Duration healthTimeout,
                            Duration scrapeInterval, Duration firstByteTimeout, Duration streamStallTimeout,
                            Duration holdTimeout, int ejectAfterFailures, Duration ejectBase, Duration ejectMax,
                            int maxAttempts, double retryBudgetRatio, double retryBudgetMinPerSec,
                            int affinityPrefixChars, double affinityLoadFactor, boolean resume,
                            Duration resolveInterval, Auth auth, ListenerTls tls, Policy policy) {

    public GatewayConfig {
        replicas = List.copyOf(replicas);
    }

    /** No pools of its own: one pool of {@code replicas}. */
    public GatewayConfig(String host, int port, List<URI> replicas, Duration healthInterval, Duration healthTimeout,
                         Duration scrapeInterval, Duration firstByteTimeout, Duration streamStallTimeout,
                         Duration holdTimeout, int ejectAfterFailures, Duration ejectBase, Duration ejectMax,
                         int maxAttempts, double retryBudgetRatio, double retryBudgetMinPerSec,
                         int affinityPrefixChars, double affinityLoadFactor, boolean resume,
                         Duration resolveInterval, Auth auth, ListenerTls tls) {
        this(host, port, replicas, healthInterval, healthTimeout, scrapeInterval, firstByteTimeout, streamStallTimeout,
                holdTimeout, ejectAfterFailures, ejectBase, ejectMax, maxAttempts, retryBudgetRatio, retryBudgetMinPerSec,
                affinityPrefixChars, affinityLoadFactor, resume, resolveInterval, auth, tls, null);
    }

    /** The pools in force: the configured ones, else one pool named {@value Policy#DEFAULT_POOL} of {@code replicas}. */
    public Policy effectivePolicy() {
        return policy != null ? policy : Policy.single(replicas);
    }

    /** Plain HTTP (no {@code tls}). */
    public GatewayConfig(String host, int port, List<URI> replicas, Duration healthInterval, Duration healthTimeout,
                         Duration scrapeInterval, Duration firstByteTimeout, Duration streamStallTimeout,
                         Duration holdTimeout, int ejectAfterFailures, Duration ejectBase, Duration ejectMax,
                         int maxAttempts, double retryBudgetRatio, double retryBudgetMinPerSec,
                         int affinityPrefixChars, double affinityLoadFactor, boolean resume,
                         Duration resolveInterval, Auth auth) {
        this(host, port, replicas, healthInterval, healthTimeout, scrapeInterval, firstByteTimeout, streamStallTimeout,
                holdTimeout, ejectAfterFailures, ejectBase, ejectMax, maxAttempts, retryBudgetRatio, retryBudgetMinPerSec,
                affinityPrefixChars, affinityLoadFactor, resume, resolveInterval, auth, null);
    }

    /** {@code https} with a certificate, {@code http} without. */
    public String scheme() {
        return tls == null ? "http" : "https";
    }

    /** The defaults, with the given address and replicas. */
    public static GatewayConfig of(String host, int port, List<URI> replicas) {
        return new GatewayConfig(host, port, replicas, Duration.ofMillis(500), Duration.ofMillis(400),
                Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(10),
                3, Duration.ofSeconds(1), Duration.ofSeconds(30), 3, 0.5, 10, 256, 1.25, true,
                Duration.ofSeconds(5), Auth.NONE);
    }

    public GatewayConfig withAddress(String newHost, int newPort) {
        return new GatewayConfig(newHost, newPort, replicas, healthInterval, healthTimeout, scrapeInterval,
                firstByteTimeout, streamStallTimeout, holdTimeout, ejectAfterFailures, ejectBase, ejectMax, maxAttempts,
                retryBudgetRatio, retryBudgetMinPerSec, affinityPrefixChars, affinityLoadFactor, resume, resolveInterval, auth, tls,
                policy);
    }

    /** Whether the config names pools of its own (then its replicas are listed per pool, not replaced as a whole). */
    public boolean hasOwnPools() {
        return policy != null
                && (policy.pools().size() != 1 || !policy.pools().getFirst().name().equals(Policy.DEFAULT_POOL));
    }

    /** Replaces the replicas (the command line's); only for a config without pools of its own. */
    public GatewayConfig withReplicas(List<URI> newReplicas) {
        if (hasOwnPools()) {
            throw new GatewayException("the config file defines pools: list each pool's replicas there");
        }
        Policy next = policy == null ? null : new Policy(Policy.single(newReplicas).pools(), policy.dataClasses(),
                policy.defaultClass(), policy.keys()); // named keys over the plain gateway: its one pool takes these
        return new GatewayConfig(host, port, newReplicas, healthInterval, healthTimeout, scrapeInterval,
                firstByteTimeout, streamStallTimeout, holdTimeout, ejectAfterFailures, ejectBase, ejectMax, maxAttempts,
                retryBudgetRatio, retryBudgetMinPerSec, affinityPrefixChars, affinityLoadFactor, resume, resolveInterval, auth, tls,
                next);
    }

    public GatewayConfig withTls(ListenerTls newTls) {
        return new GatewayConfig(host, port, replicas, healthInterval, healthTimeout, scrapeInterval,
                firstByteTimeout, streamStallTimeout, holdTimeout, ejectAfterFailures, ejectBase, ejectMax, maxAttempts,
                retryBudgetRatio, retryBudgetMinPerSec, affinityPrefixChars, affinityLoadFactor, resume, resolveInterval,
                auth, newTls, policy);
    }
}
