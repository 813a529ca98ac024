package ai.sluice.server.tools;

import ai.sluice.server.api.Json;
import ai.sluice.server.api.ToolRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads one request's answer back as tool calls: a named function's forced output is its arguments;
 * "required" output is the forced JSON list of {@code {"name", "parameters"}}; with "auto" the model's
 * own format ({@link ToolCallFormat}) is parsed, and text that holds no call stays content.
 */
public final class ToolCallReader {
    private static final ObjectMapper JSON = Json.plain();
    private final ToolRequest request;
    private final ToolCallFormat format;

    public ToolCallReader(ToolRequest request, ToolCallFormat format) {
        this.request = request;
        this.format = format;
    }

    public ParsedOutput read(String text) {
        return switch (request.choice()) {
            case ToolRequest.Choice.Named n -> new ParsedOutput(null, List.of(new ToolCall(n.name(), compact(text))));
            case ToolRequest.Choice.Required r -> required(text);
            default -> {
                ParsedOutput p = format.parse(text);
                yield !request.parallel() && p.calls().size() > 1
                        ? new ParsedOutput(p.content(), p.calls().subList(0, 1)) : p;
            }
        };
    }

    private static ParsedOutput required(String text) {
        try {
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode c : JSON.readTree(text)) {
                calls.add(ToolCallFormat.call(c, "parameters"));
            }
            return new ParsedOutput(null, calls);
        } catch (Exception e) {
            return ParsedOutput.text(text); // cut short by max_tokens: what there is, as text
        }
    }

    /** The arguments as compact JSON where they parse (the model may have written spaces and newlines). */
    private static String compact(String text) {
        try {
            return JSON.writeValueAsString(JSON.readTree(text));
        } catch (Exception e) {
            return text.strip();
        }
    }
}
