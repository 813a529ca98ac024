package ai.sluice.server.http;

import ai.sluice.server.api.ApiException;
import ai.sluice.server.api.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Small helpers for reading bodies and writing JSON. */
final class HttpIo {
    private HttpIo() {
    }

    static void json(ServerResponse res, int status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.write(body));
    }

    static void error(ServerResponse res, ApiException e) {
        if (e.retryAfterSeconds() > 0) {
            res.header(HeaderNames.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        json(res, e.status(), e.toResponse());
    }

    /** The whole body, at most {@code limit} bytes; more is a 413. */
    static byte[] body(ServerRequest req, long limit) {
        if (!req.content().hasEntity()) {
            throw ApiException.badRequest("a JSON request body is required");
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw tooLarge(limit);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "the request body is larger than the limit of " + limit + " bytes");
    }
}
