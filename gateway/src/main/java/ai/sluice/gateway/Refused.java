package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;

/** A request the gateway answers itself, before any replica: bad class, over a limit, no allowed pool. */
final class Refused extends RuntimeException {
    final int status;
    final OpenAiError error;
    /** Seconds for the Retry-After header; 0: none. */
    final long retryAfter;

    Refused(int status, OpenAiError error, long retryAfter) {
        super(error.message(), null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfter = retryAfter;
    }
}
