package ai.sluice.core.tokenizer;

import ai.sluice.core.gguf.GgufFile;
import ai.sluice.core.testing.SharedData;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Tokenizers of the shared vocabulary files, loaded once per test JVM (the big ones take a while). */
final class SharedTokenizers {
    private static final Map<Path, Tokenizer> CACHE = new ConcurrentHashMap<>();

    private SharedTokenizers() {
    }

    /** The tokenizer of {@code ggml-vocab-NAME.gguf}. */
    static Tokenizer vocab(String name) {
        return load(SharedData.tokenizerTests().resolve("ggml-vocab-" + name + ".gguf"));
    }

    static Tokenizer stories260K() {
        return load(SharedData.stories260K());
    }

    static Tokenizer load(Path gguf) {
        return CACHE.computeIfAbsent(gguf, p -> {
            try (GgufFile file = GgufFile.open(p)) {
                return Tokenizer.fromGguf(file.metadata());
            }
        });
    }
}
