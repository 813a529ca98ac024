package ai.sluice.gateway;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One replica and what the gateway knows of it: health (active checks), ejection (passive outlier detection:
 * consecutive failures eject it for a backoff that doubles with each ejection), a circuit breaker
 * (Resilience4j: failure rate over a window, half-open probes to recover), its scraped load and the gateway's own
 * in-flight count. Routable only when healthy, not ejected and the breaker permits.
 */
public final class Replica {
    /** Where the replica stands, for /metrics and logs. */
    public enum State { UP, UNHEALTHY, EJECTED, BREAKER_OPEN }

    private final URI base;
    private final String name;
    private volatile GatewayConfig config;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong ejections = new AtomicLong();
    private final Object lock = new Object();
    private volatile boolean healthy;
    private volatile long ejectedUntilNanos;
    private volatile ReplicaLoad load = ReplicaLoad.UNKNOWN;
    /** Whether its last /metrics showed it speaks Sluice's stream-resume wire ({@link ResumeWire}). */
    private volatile boolean resumeWire;
    private volatile List<String> models = List.of();
    private volatile List<com.fasterxml.jackson.databind.JsonNode> modelCards = List.of();
    /** Counts to eject: consecutive failures, and the ejections in a row (each doubles the backoff). */
    private int consecutiveFailures;
    private int ejectionsInARow;

    public Replica(URI base, GatewayConfig config) {
        this.base = base;
        this.name = base.getRawAuthority();
        this.config = config;
        this.breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .permittedNumberOfCallsInHalfOpenState(2)
                .automaticTransitionFromOpenToHalfOpenEnabled(true) // an open breaker must turn half-open by itself: routing skips open ones
                .build());
    }

    public URI base() {
        return base;
    }

    /** Takes a reloaded config's ejection settings (its state and breaker stay). */
    void reconfigure(GatewayConfig next) {
        this.config = next;
    }

    /** host:port, as the x-sluice-replica header, the access log and the metrics name it. */
    public String name() {
        return name;
    }

    public boolean routable(long nowNanos) {
        return healthy && nowNanos - ejectedUntilNanos >= 0 && breaker.getState() != CircuitBreaker.State.OPEN
                && breaker.getState() != CircuitBreaker.State.FORCED_OPEN;
    }

    /** Asks the breaker for a call (half-open: one of the few probe calls); false means pick another replica. */
    public boolean tryAcquire() {
        return breaker.tryAcquirePermission();
    }

    public State state(long nowNanos) {
        if (!healthy) {
            return State.UNHEALTHY;
        }
        if (nowNanos - ejectedUntilNanos < 0) {
            return State.EJECTED;
        }
        return breaker.getState() == CircuitBreaker.State.OPEN ? State.BREAKER_OPEN : State.UP;
    }

    /** How long the current ejection still lasts (0 when not ejected). */
    long ejectionLeftNanos(long nowNanos) {
        return Math.max(0, ejectedUntilNanos - nowNanos);
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void begin() {
        inFlight.incrementAndGet();
    }

    public void end() {
        inFlight.decrementAndGet();
    }

    /** Load for least-outstanding routing: the gateway's own in-flight requests plus the replica's queue and a KV-full penalty. */
    public double score() {
        ReplicaLoad l = load;
        return inFlight.get() + l.waiting() + 2 * l.kvCacheUsage();
    }

    public ReplicaLoad load() {
        return load;
    }

    public void load(ReplicaLoad scraped) {
        this.load = scraped;
    }

    /** Whether the replica can continue a stream from its token ids (Sluice's resume wire). */
    public boolean resumeWire() {
        return resumeWire;
    }

    public void resumeWire(boolean speaks) {
        this.resumeWire = speaks;
    }

    public List<String> models() {
        return models;
    }

    /** The model objects the replica listed at its last answer to /v1/models (each has an {@code id}). */
    public List<com.fasterxml.jackson.databind.JsonNode> modelCards() {
        return modelCards;
    }

    public void models(List<com.fasterxml.jackson.databind.JsonNode> cards) {
        this.modelCards = List.copyOf(cards);
        this.models = cards.stream().map(c -> c.get("id").asText()).toList();
    }

    public boolean healthy() {
        return healthy;
    }

    public long ejections() {
        return ejections.get();
    }

    /** A call answered (any status below 500): resets the failure streak and the backoff. */
    public void onSuccess(long durationNanos) {
        breaker.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
        synchronized (lock) {
            consecutiveFailures = 0;
            ejectionsInARow = 0;
        }
    }

    /**
     * A call failed. A refused connection is certain (nothing listens) and ejects at once; 5xx and timeouts
     * eject after {@code ejectAfterFailures} in a row. Returns true when this failure ejected the replica.
     */
    public boolean onFailure(long durationNanos, Throwable why, boolean certain) {
        breaker.onError(durationNanos, TimeUnit.NANOSECONDS, why);
        synchronized (lock) {
            consecutiveFailures++;
            if (certain || consecutiveFailures >= config.ejectAfterFailures()) {
                return eject();
            }
            return false;
        }
    }

    /** A /health answer (or its absence). A failed check also ejects, so routing stops before the next request finds out. */
    public boolean onHealth(boolean ok) {
        boolean wasHealthy = healthy;
        healthy = ok;
        if (!ok && wasHealthy) {
            synchronized (lock) {
                return eject();
            }
        }
        return false;
    }

    private boolean eject() {
        long now = System.nanoTime();
        if (now - ejectedUntilNanos < 0) {
            return false; // already out
        }
        long backoff = Math.min(config.ejectMax().toNanos(), config.ejectBase().toNanos() << Math.min(20, ejectionsInARow));
        ejectionsInARow++;
        consecutiveFailures = 0;
        ejectedUntilNanos = now + backoff;
        ejections.incrementAndGet();
        return true;
    }

    @Override
    public String toString() {
        return name;
    }
}
