package ai.sluice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads API keys from a file ({@code --api-key-file}), one per line, so that keys stay out of the
 * process command line, which every user of the machine can read ({@code /proc/PID/cmdline}).
 */
final class ApiKeyFile {
    private ApiKeyFile() {
    }

    static List<String> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("--api-key-file " + file + ": cannot read it (" + e.getMessage() + ")");
        }
        List<String> keys = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("--api-key-file " + file + " holds no key (one per line expected)");
        }
        return keys;
    }
}
