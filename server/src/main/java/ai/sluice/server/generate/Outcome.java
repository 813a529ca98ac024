package ai.sluice.server.generate;

/**
 * How one generation request ended, for the access log.
 *
 * @param status       the HTTP status sent (499 when the client went away first)
 * @param ttftNanos    arrival to first token, -1 if none
 * @param finishReason the first choice's finish reason, or null
 * @param error        why the first choice ended early (client gone, too slow, timeout), or null
 */
public record Outcome(int status, int promptTokens, int outputTokens, long ttftNanos, String finishReason,
                      String error) {
}
