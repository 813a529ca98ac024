package ai.sluice.cli;

import ai.sluice.store.ConsoleProgress;
import ai.sluice.store.ModelStore;
import ai.sluice.store.Sizes;
import ai.sluice.store.StoreConfig;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the model cache lives and how pulls fetch: shared by every command that reads a SOURCE. */
final class StoreOptions {
    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Model cache (default: $SLUICE_CACHE_DIR, else ~/.cache/sluice/models).")
    Path cacheDir;

    @Option(names = "--cache-capacity", paramLabel = "SIZE",
            description = "Most the cached models may take together, e.g. 40G; least recently used models not in use "
                    + "are evicted to make room (default: $SLUICE_CACHE_CAPACITY, else only the disk's limit).")
    String cacheCapacity;

    @Option(names = "--pull-part-size", defaultValue = "16M", paramLabel = "SIZE",
            description = "Bytes per ranged GET when pulling (default: ${DEFAULT-VALUE}).")
    String partSize;

    @Option(names = "--pull-concurrency", defaultValue = "8", paramLabel = "N",
            description = "Ranged GETs in flight at once when pulling (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--hf-endpoint", paramLabel = "URL",
            description = "Hugging Face hub base URL for hf:// (default: $HF_ENDPOINT, else https://huggingface.co).")
    URI hfEndpoint;

    StoreConfig config() {
        StoreConfig c = StoreConfig.fromEnvironment(System.getenv());
        if (cacheDir != null) {
            c = c.withCacheDir(cacheDir);
        }
        if (cacheCapacity != null) {
            c = c.withCapacity(Sizes.parse(cacheCapacity, "--cache-capacity"));
        }
        if (hfEndpoint != null) {
            c = c.withHub(hfEndpoint);
        }
        return c.withTransfer(Sizes.parse(partSize, "--pull-part-size"), concurrency);
    }

    /** A store that reports progress on stderr (a bar on a terminal, log lines otherwise). */
    ModelStore open() {
        return new ModelStore(config(), ConsoleProgress.forStderr("sluice: "));
    }
}
