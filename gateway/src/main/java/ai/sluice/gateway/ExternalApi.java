package ai.sluice.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A third-party API a pool sends requests to: its wire format, base URL, our key for it, how our model names map
 * to its names, and its own timeout and rate limit (its breaker is the pool's one replica's).
 *
 * @param wire              OpenAI-compatible, or Anthropic's Messages API (chat completions only, translated)
 * @param baseUrl           for OpenAI-compatible APIs up to and including {@code /v1} ({@code https://api.openai.com/v1});
 *                          for Anthropic the host ({@code https://api.anthropic.com})
 * @param key               our key there, from the environment or a file; never logged
 * @param models            our model name -> theirs; a model not listed is not sent there (empty: names pass unchanged)
 * @param timeout           first-byte timeout toward this provider
 * @param requestsPerSecond the most we send it; 0: no limit
 */
public record ExternalApi(Wire wire, URI baseUrl, Auth.Secret key, Map<String, String> models, Duration timeout,
                          double requestsPerSecond) {
    public ExternalApi {
        models = Map.copyOf(models);
    }

    /** The wire formats the gateway speaks to providers. */
    public enum Wire { OPENAI, ANTHROPIC }

    /** Their name for our {@code model}, or null when this provider does not serve it. */
    public String theirModel(String model) {
        if (models.isEmpty()) {
            return model;
        }
        return model == null ? null : models.get(model);
    }
}
