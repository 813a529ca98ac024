package ai.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Prompts from a JSONL file, one object a line, either ShareGPT-like
 * ({@code {"conversations":[{"from":"human","value":...},{"from":"gpt","value":...}]}}: the first human turn is the
 * prompt, the reply's length the output length) or plain ({@code {"prompt": ..., "max_tokens": n}}). The entries are
 * shuffled with the seed and reused in turn when the run needs more requests than the file has.
 */
public final class DatasetPrompts {
    private DatasetPrompts() {
    }

    /** One usable line of the file: a prompt and, when the file says, how many tokens to generate. */
    record Entry(String prompt, String reply, int maxTokens) {
    }

    /**
     * @param outputLen tokens to generate for every request; 0 to take them from the file (reply length or
     *                  {@code max_tokens})
     */
    public static List<Prompt> load(Path file, int count, int outputLen, long seed, TokenCounter counter) {
        Supplier<Prompt> next = supplier(file, outputLen, seed, counter);
        List<Prompt> prompts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            prompts.add(next.get());
        }
        return prompts;
    }

    /** The same sequence as {@link #load}, one prompt per call (for {@code --duration}); not thread-safe. */
    public static Supplier<Prompt> supplier(Path file, int outputLen, long seed, TokenCounter counter) {
        List<Entry> entries = read(file);
        if (entries.isEmpty()) {
            throw new BenchException("dataset " + file + " has no usable prompts (expected JSONL lines with "
                    + "\"prompt\" or ShareGPT \"conversations\")");
        }
        Collections.shuffle(entries, new Random(seed));
        int[] i = {0};
        return () -> {
            Entry e = entries.get(i[0]++ % entries.size());
            int out = outputLen > 0 ? outputLen
                    : e.maxTokens > 0 ? e.maxTokens
                    : e.reply != null ? Math.max(1, counter.count(e.reply)) : 0;
            if (out <= 0) {
                throw new BenchException("dataset line has no reply or max_tokens to size the output; give --output-len");
            }
            return new Prompt(e.prompt, counter.count(e.prompt), out);
        };
    }

    static List<Entry> read(Path file) {
        ObjectMapper json = new ObjectMapper();
        List<Entry> entries = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (IOException e) {
                    throw new BenchException("dataset " + file + " line " + number + " is not JSON");
                }
                Entry entry = entry(node);
                if (entry != null) {
                    entries.add(entry);
                }
            }
        } catch (IOException e) {
            throw new BenchException("cannot read dataset " + file + ": " + e.getMessage(), e);
        }
        return entries;
    }

    private static Entry entry(JsonNode node) {
        if (node.path("prompt").isTextual()) {
            int max = node.path("max_tokens").asInt(node.path("output_len").asInt(0));
            return new Entry(node.get("prompt").asText(), null, max);
        }
        JsonNode turns = node.path("conversations");
        String prompt = null;
        for (JsonNode turn : turns) {
            String from = turn.path("from").asText("");
            String value = turn.path("value").asText("");
            if (prompt == null && (from.equals("human") || from.equals("user")) && !value.isBlank()) {
                prompt = value;
            } else if (prompt != null && (from.equals("gpt") || from.equals("assistant"))) {
                return new Entry(prompt, value, 0);
            }
        }
        return prompt == null ? null : new Entry(prompt, null, 0);
    }
}
