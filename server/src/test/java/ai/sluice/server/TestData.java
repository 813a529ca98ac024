package ai.sluice.server;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared (set by the build as {@code sluice.shared}): models and tokenizer vocabularies. */
public final class TestData {
    private TestData() {
    }

    public static Path shared() {
        String prop = System.getProperty("sluice.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(p)) {
            p = Path.of("..", "..", "shared");
        }
        return p.toAbsolutePath().normalize();
    }

    public static Path stories260K() {
        return shared().resolve("models").resolve("stories260K.gguf");
    }

    public static Path vocab(String name) {
        return shared().resolve("models").resolve("tokenizer-tests").resolve("ggml-vocab-" + name + ".gguf");
    }
}
