package ai.sluice.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;

/**
 * A model in the local tier, as its {@code NAME.json} beside {@code NAME.gguf} records it.
 *
 * @param verifiedBy where the sha256 the download was checked against came from ("manifest",
 *                   "object metadata", "X-Linked-Etag", "--sha256"), or "none" when nobody published one
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CachedModel(String name, long size, String sha256, String verifiedBy, String source, List<String> mirrors,
                          Instant created, Instant lastUsed) {
    CachedModel usedAt(Instant when) {
        return new CachedModel(name, size, sha256, verifiedBy, source, mirrors, created, when);
    }
}
