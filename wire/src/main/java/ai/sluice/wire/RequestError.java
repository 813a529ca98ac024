package ai.sluice.wire;

/** Why one request failed; {@link #label()} is the key under which failures are counted. */
public sealed interface RequestError {
    String label();

    String detail();

    /** The server answered with a non-200 status before streaming. */
    record HttpStatus(int status, String body) implements RequestError {
        @Override
        public String label() {
            return "http_" + status;
        }

        @Override
        public String detail() {
            return "HTTP " + status + (body.isBlank() ? "" : ": " + body);
        }
    }

    /** No complete answer within the request timeout (headers or the whole stream). */
    record Timeout(String detail) implements RequestError {
        @Override
        public String label() {
            return "timeout";
        }
    }

    /** Could not connect or the connection broke before a response arrived. */
    record Connection(String detail) implements RequestError {
        @Override
        public String label() {
            return "connection";
        }
    }

    /** The response started but the stream was malformed, carried an error, or ended before {@code [DONE]}. */
    record StreamError(String detail) implements RequestError {
        @Override
        public String label() {
            return "stream_error";
        }
    }
}
