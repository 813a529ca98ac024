package ai.sluice.gateway;

import ai.sluice.wire.OpenAiError;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.util.Locale;

/**
 * Writes to the client: the status and the gateway's own headers, an OpenAI-style error, or a stream's events. A
 * failed write means the client went away ({@link ClientGone}).
 */
final class ClientReply {
    static final HeaderName REPLICA = HeaderNames.create("x-sluice-replica");
    /**
     * The same value under the header's old name, sent beside {@link #REPLICA} for one release: a header cannot warn
     * its reader, so dropping it at once would break scripts and log pipelines that read it without a word. Remove
     * it in the release after the rename (README, gateway section).
     */
    static final HeaderName OLD_REPLICA = HeaderNames.create("x-sluice-backend");
    static final HeaderName GATEWAY_MS = HeaderNames.create("x-sluice-gateway-ms");
    static final HeaderName POOL = HeaderNames.create("x-sluice-pool");
    static final HeaderName ROUTE = HeaderNames.create("x-sluice-route");

    private ClientReply() {
    }

    /** Sets the status and the gateway's headers; the added time is everything but the replica's own. */
    static void sendHeaders(ServerResponse res, Exchange x, int status, String contentType) {
        x.addedNanos = Math.max(0, System.nanoTime() - x.arrival - x.upstreamNanos);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, contentType);
        if (x.served != null) {
            res.header(REPLICA, x.served.name());
            res.header(OLD_REPLICA, x.served.name());
        }
        if (x.pool != null && x.served != null) {
            res.header(POOL, x.pool.name());
            res.header(ROUTE, x.route.describeClass() + ": " + x.pool.name() + ", " + x.poolWhy);
        } else if (x.route != null && x.poolWhy != null && !x.poolWhy.isEmpty()) {
            res.header(ROUTE, x.route.describeClass() + ": no pool, " + x.poolWhy);
        }
        res.header(GATEWAY_MS, String.format(Locale.ROOT, "%.3f", x.addedNanos / 1e6));
    }

    /** An OpenAI-style error as the whole answer (with Retry-After when {@code retryAfter} is above 0). */
    static void error(ServerResponse res, Exchange x, int status, OpenAiError error, long retryAfter) {
        x.status = status;
        x.error = error.message();
        if (retryAfter > 0) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(retryAfter));
        }
        sendHeaders(res, x, status, "application/json");
        send(res, error.toJson());
    }

    static void send(ServerResponse res, byte[] body) {
        try {
            res.send(body);
        } catch (RuntimeException e) {
            throw new ClientGone(e);
        }
    }

    /** Sends a stream's status and headers once, before its first event. */
    static void startStream(ServerResponse res, Exchange x, StreamState st) {
        if (st.headersSent) {
            return;
        }
        sendHeaders(res, x, 200, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try {
            st.out = res.outputStream();
        } catch (RuntimeException e) {
            throw new ClientGone(e);
        }
        st.headersSent = true;
    }

    static void write(StreamState st, byte[] bytes) {
        try {
            st.out.write(bytes);
        } catch (IOException | RuntimeException e) {
            throw new ClientGone(e);
        }
    }

    static void flush(StreamState st) {
        try {
            st.out.flush();
        } catch (IOException | RuntimeException e) {
            throw new ClientGone(e);
        }
    }
}
