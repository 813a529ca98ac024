package ai.sluice.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the test data in ../shared (models, tokenizer vectors, llama.cpp oracle outputs). */
public final class SharedData {
    private SharedData() {
    }

    /** The shared folder: system property {@code sluice.shared} (set by the build), else ../shared. */
    public static Path root() {
        String prop = System.getProperty("sluice.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(p)) {
            p = Path.of("..", "..", "shared");
        }
        return p.toAbsolutePath().normalize();
    }

    public static Path models() {
        return root().resolve("models");
    }

    public static Path stories260K() {
        return models().resolve("stories260K.gguf");
    }

    public static Path oracle() {
        return root().resolve("oracle");
    }

    public static Path tokenizerTests() {
        return models().resolve("tokenizer-tests");
    }
}
