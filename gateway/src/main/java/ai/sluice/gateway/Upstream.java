package ai.sluice.gateway;

import java.net.http.HttpHeaders;

/** A replica's answer while it is being read: status, content type, headers and the body as it comes. */
record Upstream(int status, String contentType, HttpHeaders headers, BodySource body) {
    /** Stops reading (and, mid-body, cancels the request upstream). */
    void close() {
        body.cancel();
    }
}
