package ai.sluice.gateway;

/**
 * One client API key as configured: its name (the only thing logs and metrics show), the SHA-256 of the key, the
 * data class its requests belong to, and its limits (0: none).
 *
 * @param dataClass        the class of every request with this key; null: the header or the default decides
 * @param requestsPerSecond most requests per second (429 beyond)
 * @param tokensPerMinute  most tokens (input + output) per minute, counted from the answers' usage (429 beyond)
 * @param dailyTokens      most tokens per UTC day
 * @param dailyDollars     most dollars per UTC day, at the serving pools' prices
 */
public record KeySpec(String name, byte[] sha256, String dataClass, double requestsPerSecond, double tokensPerMinute,
                      long dailyTokens, double dailyDollars) {
    public boolean limited() {
        return requestsPerSecond > 0 || tokensPerMinute > 0 || dailyTokens > 0 || dailyDollars > 0;
    }
}
