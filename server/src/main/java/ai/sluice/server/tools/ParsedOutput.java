package ai.sluice.server.tools;

import java.util.List;

/** The model's text read back: the text meant for the user (null when none) and the calls it made. */
public record ParsedOutput(String content, List<ToolCall> calls) {
    public ParsedOutput {
        calls = List.copyOf(calls);
    }

    static ParsedOutput text(String text) {
        return new ParsedOutput(text, List.of());
    }
}
