package ai.sluice.core.tokenizer;

import ai.sluice.core.testing.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * llama.cpp's own tokenizer vectors (tests/test-tokenizer-0): for every ggml-vocab-*.gguf with its
 * .inp/.out pair, encode(text, addSpecial=false, parseSpecial=false) must give the Hugging Face ids.
 */
class TokenizerConformanceTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    /** Passing cases per set as of the last change; a set at 100% must stay there. */
    private static final Map<String, Integer> ACHIEVED = Map.ofEntries(
            Map.entry("bert-bge", 46),
            Map.entry("command-r", 46),
            Map.entry("deepseek-coder", 46),
            Map.entry("deepseek-llm", 46),
            Map.entry("falcon", 46),
            Map.entry("gemma-4", 46),
            Map.entry("gpt-2", 46),
            Map.entry("llama-bpe", 46),
            Map.entry("llama-spm", 46),
            Map.entry("mpt", 46),
            Map.entry("phi-3", 46),
            Map.entry("qwen2", 46),
            Map.entry("qwen35", 50),
            Map.entry("refact", 46),
            Map.entry("starcoder", 46));

    private static final Map<String, String> TABLE = new TreeMap<>();

    static Stream<String> vocabularies() throws IOException {
        Path dir = SharedData.tokenizerTests();
        // a missing folder must fail, not pass by running no case
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("tokenizer test vectors not found: " + dir
                    + " is not a folder (the shared test data, -Dsluice.shared)");
        }
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(p -> p.getFileName().toString())
                    .filter(f -> f.startsWith("ggml-vocab-") && f.endsWith(".gguf.inp"))
                    .map(f -> f.substring("ggml-vocab-".length(), f.length() - ".gguf.inp".length()))
                    .sorted()
                    .toList();
        }
        List<String> missing = ACHIEVED.keySet().stream().filter(n -> !names.contains(n)).sorted().toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("tokenizer test vectors missing from " + dir + ": " + missing);
        }
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vocabularies")
    void encodesLikeHuggingFace(String name) throws IOException {
        Path dir = SharedData.tokenizerTests();
        Path gguf = dir.resolve("ggml-vocab-" + name + ".gguf");
        List<String> inputs = readInputs(dir.resolve("ggml-vocab-" + name + ".gguf.inp"));
        List<int[]> expected = readOutputs(dir.resolve("ggml-vocab-" + name + ".gguf.out"));
        assertThat(inputs).hasSameSizeAs(expected);

        Tokenizer tokenizer = SharedTokenizers.load(gguf);
        long t1 = System.nanoTime();
        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            int[] actual = tokenizer.encode(inputs.get(i), false, false);
            if (Arrays.equals(actual, expected.get(i))) {
                passed++;
            } else {
                failures.add("  case " + i + " " + escape(inputs.get(i)) + "\n    expected " + Arrays.toString(expected.get(i))
                        + "\n    actual   " + Arrays.toString(actual));
            }
        }
        long t2 = System.nanoTime();
        TABLE.put(name, String.format("%-16s %3d/%3d  %5.1f%%  encode %4d ms", name, passed,
                inputs.size(), 100.0 * passed / inputs.size(), (t2 - t1) / 1_000_000));
        if (!failures.isEmpty()) {
            System.out.println("[" + name + "] failing cases:\n" + String.join("\n", failures));
        }
        int floor = ACHIEVED.getOrDefault(name, inputs.size());
        assertThat(passed).as("passing cases of %s (failures: %s)", name, failures).isGreaterThanOrEqualTo(floor);
    }

    @AfterAll
    static void printTable() {
        System.out.println("Tokenizer conformance (llama.cpp test-tokenizer-0 vectors):");
        TABLE.values().forEach(System.out::println);
    }

    static List<String> readInputs(Path inp) throws IOException {
        String all = Files.readString(inp, StandardCharsets.UTF_8);
        List<String> cases = new ArrayList<>(Arrays.asList(all.split(SEPARATOR, -1)));
        if (cases.getLast().isEmpty()) {
            cases.removeLast(); // most files end with a separator (gemma-4's does not)
        }
        return cases;
    }

    static List<int[]> readOutputs(Path out) throws IOException {
        List<int[]> result = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            String s = line.strip();
            result.add(s.isEmpty() ? new int[0] : Arrays.stream(s.split(" ")).mapToInt(Integer::parseInt).toArray());
        }
        return result;
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (cp < 0x20 || cp > 0x7E) {
                b.append(String.format("\\u{%x}", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append('"').toString();
    }
}
