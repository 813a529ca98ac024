package ai.sluice.gateway;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashSet;
import java.util.Set;

/** What the gateway learns about one client request while serving it (for headers, metrics and the log). */
final class Exchange {
    final long arrival = System.nanoTime();
    final String method;
    final String path;
    final Set<Replica> tried = new HashSet<>();
    byte[] body;
    /** The client's Authorization header: checked against the gateway's keys, or passed on when it has none. */
    String authorization;
    JsonNode request;
    String model;
    String affinityKey;
    boolean affinity;
    Replica served;
    int attempts;
    int staleRetries;
    int retries;
    int resumes;
    /** The replica's share of the wait before the response started (its time to the first bytes). */
    long upstreamNanos;
    long attemptStart;
    long addedNanos = -1;
    int status;
    String error;
    /** The named key the request carried (null: none), and where it may go. */
    KeySpec key;
    Route route;
    /** The pool of the replica serving the current attempt, and why that pool (for the headers and metrics). */
    Pool pool;
    String poolReason;
    String poolWhy;
    /** The answer's usage when it told one (-1: not known). */
    long promptTokens = -1;
    long completionTokens = -1;
    /** The gateway asked the replica for stream usage the client did not ask for: the usage chunk is not passed on. */
    boolean hideUsage;

    Exchange(String method, String path) {
        this.method = method;
        this.path = path;
    }
}
