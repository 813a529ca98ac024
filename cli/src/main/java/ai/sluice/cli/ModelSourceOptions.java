package ai.sluice.cli;

import ai.sluice.store.ModelStore;
import ai.sluice.store.Source;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --model SOURCE} (+ {@code --mirror}, + the cache options) for every command that reads a
 * model: a path is used where it lies; anything else is pulled into the cache (or found there) and
 * pinned for as long as this process runs, so no other process evicts it while it is mapped.
 */
final class ModelSourceOptions {
    @Option(names = "--model", required = true, paramLabel = "SOURCE",
            description = "GGUF model: a path, s3://BUCKET/KEY[?endpoint=URL], http(s)://URL, hf://ORG/REPO/FILE.gguf "
                    + "or the name of a cached model.")
    String model;

    @Option(names = "--mirror", paramLabel = "SOURCE",
            description = "Another copy of the model, used when the ones before it fail (repeatable, tried in order).")
    List<String> mirrors = new ArrayList<>();

    @Mixin
    StoreOptions store;

    private ModelStore.Resolved resolved;

    /** The model file, pulled first when it is not a local path. */
    Path file() {
        if (resolved == null) {
            Source source = Source.parse(model);
            List<Source> others = mirrors.stream().map(Source::parse).toList();
            if (source instanceof Source.Local local && others.isEmpty()) {
                // a plain path needs no cache (and creates none); the command reports a missing file as before
                resolved = new ModelStore.Resolved(local.path(), source.defaultName(), null);
            } else {
                try (ModelStore opened = store.open()) {
                    resolved = opened.resolve(source, others); // the pin outlives the store's clients, as it should
                }
            }
        }
        return resolved.file();
    }

    /** Unpins the model (when it came from the cache); the process ending does the same. */
    void release() {
        if (resolved != null) {
            resolved.close();
        }
    }

    /** The model's name: the cached name, or the file name without .gguf. */
    String name() {
        file();
        return resolved.name();
    }
}
