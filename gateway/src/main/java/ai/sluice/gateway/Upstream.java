package ai.sluice.gateway;

/** A replica's answer while it is being read: status, content type and the body as it comes. */
record Upstream(int status, String contentType, BodySource body) {
    /** Stops reading (and, mid-body, cancels the request upstream). */
    void close() {
        body.cancel();
    }
}
