package ai.sluice.server.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;

/**
 * Cross-origin access for browser front-ends ({@code --allowed-origins}, vLLM's name). Preflights
 * are answered before authentication: a browser sends no credentials on them, and refusing one with
 * a 401 would block every keyed request from the page.
 */
final class Cors {
    private static final HeaderName REQUEST_METHOD = HeaderNames.create("Access-Control-Request-Method");
    private static final HeaderName REQUEST_HEADERS = HeaderNames.create("Access-Control-Request-Headers");
    private static final HeaderName ALLOW_ORIGIN = HeaderNames.create("Access-Control-Allow-Origin");
    private static final HeaderName ALLOW_METHODS = HeaderNames.create("Access-Control-Allow-Methods");
    private static final HeaderName ALLOW_HEADERS = HeaderNames.create("Access-Control-Allow-Headers");
    private static final HeaderName EXPOSE_HEADERS = HeaderNames.create("Access-Control-Expose-Headers");
    private static final HeaderName MAX_AGE = HeaderNames.create("Access-Control-Max-Age");
    private static final String DEFAULT_HEADERS = "Authorization, Content-Type, X-Api-Key";

    private final List<String> origins;

    Cors(List<String> origins) {
        this.origins = origins;
    }

    /**
     * Adds the allow-origin header when the request comes from an allowed origin; true when the
     * request was a preflight, which is then answered in full (204) and must go no further.
     */
    boolean handle(ServerRequest req, ServerResponse res) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin == null || !allows(origin)) {
            return false;
        }
        res.header(ALLOW_ORIGIN, origins.contains("*") ? "*" : origin);
        res.header(HeaderNames.VARY, "Origin");
        if (req.prologue().method() != Method.OPTIONS || !req.headers().contains(REQUEST_METHOD)) {
            res.header(EXPOSE_HEADERS, "Retry-After");
            return false;
        }
        res.header(ALLOW_METHODS, "GET, POST, OPTIONS");
        res.header(ALLOW_HEADERS, req.headers().first(REQUEST_HEADERS).orElse(DEFAULT_HEADERS));
        res.header(MAX_AGE, "600");
        res.status(204);
        res.send();
        return true;
    }

    private boolean allows(String origin) {
        return origins.contains("*") || origins.contains(origin);
    }
}
