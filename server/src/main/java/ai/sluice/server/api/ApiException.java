package ai.sluice.server.api;

/**
 * An error the client should see as an OpenAI-style error object:
 * {@code {"error":{"message","type","param","code"}}} with an HTTP status.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private long retryAfterSeconds = -1;

    public ApiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 for a parameter that is missing, of the wrong type or out of range. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "invalid_request_error", null, null, message);
    }

    public int status() {
        return status;
    }

    /** Adds a Retry-After (seconds) to the response. */
    public ApiException withRetryAfter(long seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    /** Seconds for a Retry-After header, or -1 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ErrorResponse toResponse() {
        return new ErrorResponse(new ErrorResponse.Error(getMessage(), type, param, code));
    }
}
