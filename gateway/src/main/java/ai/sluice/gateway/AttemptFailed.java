package ai.sluice.gateway;

/** Why one attempt on a replica failed, and whether that is certain about the replica (nothing listens). */
final class AttemptFailed extends Exception {
    final boolean certain;
    final int status;
    final byte[] body;
    /** The connection closed before any byte of a response: a stale pooled connection, not a verdict on the replica. */
    boolean stale;

    AttemptFailed(String message, boolean certain, int status, byte[] body) {
        super(message, null, false, false);
        this.certain = certain;
        this.status = status;
        this.body = body;
    }

    /** Counts this failure against {@code r} (breaker, ejection), for an attempt that started at {@code startNanos}. */
    void blame(Replica r, long startNanos) {
        r.onFailure(System.nanoTime() - startNanos, this, certain);
    }
}
