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

    Exchange(String method, String path) {
        this.method = method;
        this.path = path;
    }
}
