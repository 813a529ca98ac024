package ai.sluice.cli.archfixture.engine;

import ai.sluice.cli.archfixture.core.BadCore;
import java.net.http.HttpClient;

/** Fixture: "engine" using core (allowed) and an HTTP client (forbidden). */
public final class HttpEngine {
    public Object client() {
        return new BadCore().value() > 0 ? HttpClient.newBuilder() : null;
    }
}
