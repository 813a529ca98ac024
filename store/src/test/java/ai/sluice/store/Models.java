package ai.sluice.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Synthetic model bytes for the tests: the GGUF magic, then noise. */
final class Models {
    private Models() {
    }

    static byte[] synthetic(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        b[0] = 'G';
        b[1] = 'G';
        b[2] = 'U';
        b[3] = 'F';
        return b;
    }

    /** Files under DIR/sub, by name. */
    static List<String> files(Path cacheDir, String sub) {
        try (Stream<Path> s = Files.list(cacheDir.resolve(sub))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
