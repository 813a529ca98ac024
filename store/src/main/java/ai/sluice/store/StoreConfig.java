package ai.sluice.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * How the store works: where the cache lives and how big it may grow, how transfers are cut up.
 *
 * @param cacheDir      the local tier's directory
 * @param capacityBytes the most bytes the tier's models may take together; 0 = only the disk's limit
 * @param partSize      bytes per ranged GET
 * @param concurrency   ranged GETs in flight at once
 * @param hubEndpoint   base URL for hf:// sources (https://huggingface.co, or a mirror of its layout)
 * @param hubToken      bearer token for hf:// (HF_TOKEN), or null
 */
public record StoreConfig(Path cacheDir, long capacityBytes, long partSize, int concurrency, URI hubEndpoint, String hubToken) {
    public static final long DEFAULT_PART_SIZE = 16L << 20;
    public static final int DEFAULT_CONCURRENCY = 8;
    public static final URI DEFAULT_HUB = URI.create("https://huggingface.co");

    public StoreConfig {
        if (partSize < 4096) {
            throw new StoreException("part size must be at least 4096 bytes, got " + partSize);
        }
        if (concurrency < 1 || concurrency > 256) {
            throw new StoreException("concurrency must be in 1..256, got " + concurrency);
        }
        if (capacityBytes < 0) {
            throw new StoreException("cache capacity must be >= 0 (0 = no limit but the disk), got " + capacityBytes);
        }
    }

    /**
     * Defaults from the environment: SLUICE_CACHE_DIR (else ~/.cache/sluice/models),
     * SLUICE_CACHE_CAPACITY, HF_ENDPOINT, HF_TOKEN.
     */
    public static StoreConfig fromEnvironment(Map<String, String> env) {
        return new StoreConfig(defaultCacheDir(env),
                env.containsKey("SLUICE_CACHE_CAPACITY") ? Sizes.parse(env.get("SLUICE_CACHE_CAPACITY"), "SLUICE_CACHE_CAPACITY") : 0,
                DEFAULT_PART_SIZE, DEFAULT_CONCURRENCY,
                env.containsKey("HF_ENDPOINT") ? URI.create(env.get("HF_ENDPOINT")) : DEFAULT_HUB,
                env.get("HF_TOKEN"));
    }

    public static Path defaultCacheDir(Map<String, String> env) {
        String dir = env.get("SLUICE_CACHE_DIR");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "sluice", "models");
    }

    public StoreConfig withCacheDir(Path dir) {
        return new StoreConfig(dir, capacityBytes, partSize, concurrency, hubEndpoint, hubToken);
    }

    public StoreConfig withCapacity(long bytes) {
        return new StoreConfig(cacheDir, bytes, partSize, concurrency, hubEndpoint, hubToken);
    }

    public StoreConfig withTransfer(long partBytes, int parallel) {
        return new StoreConfig(cacheDir, capacityBytes, partBytes, parallel, hubEndpoint, hubToken);
    }

    public StoreConfig withHub(URI endpoint) {
        return new StoreConfig(cacheDir, capacityBytes, partSize, concurrency, endpoint, hubToken);
    }
}
