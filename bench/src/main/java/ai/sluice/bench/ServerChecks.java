package ai.sluice.bench;

/**
 * What bench asks a server before sending any load, so a wrong URL or a missing API key is one clear line up front
 * instead of a misleading guess ("no models listed", "no /tokenize") followed by a run of failed requests.
 */
final class ServerChecks {
    private ServerChecks() {
    }

    /**
     * The model to request: {@code model} if given, else the first one {@code GET /v1/models} lists. Stops on an
     * unreachable server and on a 401/403, whether or not a model was given.
     */
    static String model(CompletionClient client, String model) {
        CompletionClient.Answer models = client.fetch("/v1/models");
        if (models.refusedKey()) {
            throw refused(client, "/v1/models", models.status());
        }
        if (models.unreachable()) {
            throw new BenchException("cannot reach " + client.base() + "/v1/models (" + models.body()
                    + "): is the server up, and is --url right?");
        }
        if (model != null) {
            return model;
        }
        if (models.status() != 200) {
            throw new BenchException("cannot ask " + client.base() + "/v1/models for the model name (HTTP "
                    + models.status() + "); give --model");
        }
        return client.firstModelIn(models.body()).orElseThrow(() -> new BenchException(client.base()
                + "/v1/models lists no models; give --model"));
    }

    /** The one line for a 401 or 403 from {@code path}: what the server wants and which option gives it. */
    static BenchException refused(CompletionClient client, String path, int status) {
        return new BenchException(status + " from " + client.base() + path + ": " + (client.hasApiKey()
                ? "the server refused the key given with --api-key; check it"
                : "the server wants an API key; give --api-key KEY"));
    }
}
