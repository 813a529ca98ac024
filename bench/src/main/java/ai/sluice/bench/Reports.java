package ai.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes {@code result.json} and {@code report.html} for an outcome into a directory. */
public final class Reports {
    public static final String JSON = "result.json";
    public static final String HTML = "report.html";

    private Reports() {
    }

    public static void write(Path dir, Bench.Outcome outcome) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(JSON), json(outcome), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(HTML), HtmlReport.render(outcome), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BenchException("cannot write the results to " + dir + ": " + e.getMessage(), e);
        }
    }

    public static String json(Bench.Outcome outcome) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("config", outcome.info());
        if (outcome.single() != null) {
            root.put("result", outcome.single());
        } else {
            root.put("sweep", outcome.sweep());
        }
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
        } catch (IOException e) {
            throw new BenchException("cannot encode the result as JSON: " + e.getMessage(), e);
        }
    }
}
