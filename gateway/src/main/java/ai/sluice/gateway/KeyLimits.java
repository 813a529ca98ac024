package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key limits: requests per second (a Resilience4j rate limiter), tokens per minute (a bucket refilled
 * continuously, charged with each answer's actual usage, so it may go below zero by the last answer's size), and
 * daily tokens and dollars per UTC day. A request over any of them gets 429 with a Retry-After that says when that
 * limit lets it through. The state outlives config reloads (by key name) but not a restart.
 */
final class KeyLimits {
    private final Clock clock;
    private final Map<String, Meter> meters = new ConcurrentHashMap<>();
    private final GatewayMetrics metrics;

    KeyLimits(Clock clock, GatewayMetrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Throws {@link Refused} (429) when {@code key} is over one of its limits; does nothing for unlimited keys. */
    void admit(KeySpec key) {
        if (key == null || !key.limited()) {
            return;
        }
        meter(key).admit(key);
    }

    /** Counts an answer's tokens and dollars against {@code key}'s minute and day. */
    void charge(KeySpec key, long tokens, double dollars) {
        if (key == null || !key.limited()) {
            return;
        }
        meter(key).charge(key, tokens, dollars);
    }

    private Meter meter(KeySpec key) {
        Meter m = meters.computeIfAbsent(key.name(), n -> new Meter());
        m.configure(key);
        return m;
    }

    private final class Meter {
        private RateLimiter perSecond;
        private double perSecondLimit = -1;
        private double bucket;
        private long bucketAtNanos = System.nanoTime();
        private LocalDate day;
        private long dayTokens;
        private double dayDollars;

        synchronized void configure(KeySpec key) {
            if (key.requestsPerSecond() != perSecondLimit) {
                perSecondLimit = key.requestsPerSecond();
                if (perSecondLimit > 0) {
                    int permits = (int) Math.max(1, Math.floor(perSecondLimit));
                    perSecond = RateLimiter.of("key-" + key.name(), RateLimiterConfig.custom().limitForPeriod(permits)
                            .limitRefreshPeriod(Duration.ofNanos((long) (permits / perSecondLimit * 1e9)))
                            .timeoutDuration(Duration.ZERO).build());
                } else {
                    perSecond = null;
                }
                bucket = key.tokensPerMinute();
            }
        }

        synchronized void admit(KeySpec key) {
            rollDay();
            if (key.dailyTokens() > 0 && dayTokens >= key.dailyTokens()) {
                refuse(key, "daily_tokens", "its daily budget of " + key.dailyTokens() + " tokens is used up",
                        secondsToMidnight());
            }
            if (key.dailyDollars() > 0 && dayDollars >= key.dailyDollars()) {
                refuse(key, "daily_dollars", String.format(java.util.Locale.ROOT, "its daily budget of $%.4f is used up",
                        key.dailyDollars()), secondsToMidnight());
            }
            if (key.tokensPerMinute() > 0) {
                refill(key);
                if (bucket <= 0) {
                    double perSecondRefill = key.tokensPerMinute() / 60;
                    // until the bucket is above zero again: what is owed, at the refill rate
                    refuse(key, "tokens_per_minute", "it used its " + (long) key.tokensPerMinute()
                            + " tokens per minute", (long) Math.ceil((1 - bucket) / perSecondRefill));
                }
            }
            if (perSecond != null && !perSecond.acquirePermission()) {
                // the permits come back at the end of the limiter's period: at most one period from now
                Duration period = perSecond.getRateLimiterConfig().getLimitRefreshPeriod();
                refuse(key, "requests_per_second", "it sent more than " + perSecondLimit + " requests per second",
                        (long) Math.ceil(period.toNanos() / 1e9));
            }
        }

        synchronized void charge(KeySpec key, long tokens, double dollars) {
            rollDay();
            dayTokens += tokens;
            dayDollars += dollars;
            if (key.tokensPerMinute() > 0) {
                refill(key);
                bucket -= tokens;
            }
        }

        private void refill(KeySpec key) {
            long now = System.nanoTime();
            bucket = Math.min(key.tokensPerMinute(), bucket + (now - bucketAtNanos) / 1e9 * key.tokensPerMinute() / 60);
            bucketAtNanos = now;
        }

        private void rollDay() {
            LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
            if (!today.equals(day)) {
                day = today;
                dayTokens = 0;
                dayDollars = 0;
            }
        }

        private long secondsToMidnight() {
            long now = clock.instant().getEpochSecond();
            long midnight = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            return Math.max(1, midnight - now);
        }

        private void refuse(KeySpec key, String limit, String why, long retryAfter) {
            metrics.rateLimited(key.name(), limit);
            long seconds = Math.max(1, retryAfter);
            throw new Refused(429, new OpenAiError(new OpenAiError.Detail("Rate limit reached for key " + key.name()
                    + ": " + why + "; retry in " + seconds + " s (the Retry-After header)", "rate_limit_error", limit,
                    "rate_limit_exceeded")), seconds);
        }
    }
}
