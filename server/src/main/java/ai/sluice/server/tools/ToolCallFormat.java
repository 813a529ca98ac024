package ai.sluice.server.tools;

import ai.sluice.server.api.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a model family writes tool calls in text, and how to read them back (vLLM's
 * {@code --tool-call-parser} names: {@code hermes}, {@code llama3_json}, {@code mistral}).
 */
public enum ToolCallFormat {
    /** Hermes and Qwen: {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>}, one block per call. */
    HERMES("hermes"),
    /** Llama 3.x: the whole answer is {@code {"name": ..., "parameters": {...}}} (optionally after {@code <|python_tag|>}). */
    LLAMA3_JSON("llama3_json"),
    /** Mistral: {@code [TOOL_CALLS] [{"name": ..., "arguments": {...}}, ...]}. */
    MISTRAL("mistral");

    private static final ObjectMapper JSON = Json.plain();
    private static final Pattern HERMES_BLOCK = Pattern.compile("<tool_call>\\s*(.*?)\\s*(?:</tool_call>|$)", Pattern.DOTALL);

    private final String flagName;

    ToolCallFormat(String flagName) {
        this.flagName = flagName;
    }

    public String flagName() {
        return flagName;
    }

    /** The format named as vLLM's {@code --tool-call-parser} names it. */
    public static ToolCallFormat named(String name) {
        for (ToolCallFormat f : values()) {
            if (f.flagName.equals(name.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown tool-call parser '" + name + "' (hermes, llama3_json or mistral)");
    }

    /** The format a chat template writes, from its text; Hermes when it shows none. */
    public static ToolCallFormat detect(String template) {
        if (template == null) {
            return HERMES;
        }
        if (template.contains("[TOOL_CALLS]")) {
            return MISTRAL;
        }
        if (template.contains("<tool_call>")) {
            return HERMES;
        }
        if (template.contains("<|python_tag|>") || template.contains("ipython")) {
            return LLAMA3_JSON;
        }
        return HERMES;
    }

    /** Reads the calls out of a finished answer; text that holds no well-formed call stays content. */
    public ParsedOutput parse(String text) {
        try {
            return switch (this) {
                case HERMES -> hermes(text);
                case LLAMA3_JSON -> llama3(text);
                case MISTRAL -> mistral(text);
            };
        } catch (Exception e) {
            return ParsedOutput.text(text); // a malformed call is shown as text, as vLLM's parsers do
        }
    }

    private static ParsedOutput hermes(String text) throws Exception {
        int first = text.indexOf("<tool_call>");
        if (first < 0) {
            return ParsedOutput.text(text);
        }
        List<ToolCall> calls = new ArrayList<>();
        Matcher m = HERMES_BLOCK.matcher(text);
        while (m.find()) {
            calls.add(call(JSON.readTree(m.group(1)), "arguments"));
        }
        String content = text.substring(0, first).strip();
        return new ParsedOutput(content.isEmpty() ? null : content, calls);
    }

    private static ParsedOutput llama3(String text) throws Exception {
        String t = text.strip();
        if (t.startsWith("<|python_tag|>")) {
            t = t.substring("<|python_tag|>".length()).strip();
        }
        if (!t.startsWith("{")) {
            return ParsedOutput.text(text);
        }
        List<ToolCall> calls = new ArrayList<>();
        for (String part : t.split(";\\s*(?=\\{)")) {
            calls.add(call(JSON.readTree(part), "parameters"));
        }
        return new ParsedOutput(null, calls);
    }

    private static ParsedOutput mistral(String text) throws Exception {
        int at = text.indexOf("[TOOL_CALLS]");
        if (at < 0) {
            return ParsedOutput.text(text);
        }
        JsonNode list = JSON.readTree(text.substring(at + "[TOOL_CALLS]".length()).strip());
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode c : list.isArray() ? list : JSON.createArrayNode().add(list)) {
            calls.add(call(c, "arguments"));
        }
        String content = text.substring(0, at).strip();
        return new ParsedOutput(content.isEmpty() ? null : content, calls);
    }

    /** {"name": ..., KEY: {...}} (KEY or its sibling name; arguments given as a JSON string are taken as is). */
    static ToolCall call(JsonNode c, String key) throws Exception {
        JsonNode name = c.get("name");
        if (name == null || !name.isTextual()) {
            throw new IllegalArgumentException("a tool call without a name");
        }
        JsonNode args = c.has(key) ? c.get(key) : c.has("arguments") ? c.get("arguments") : c.get("parameters");
        String arguments = args == null || args.isNull() ? "{}" : args.isTextual() ? args.asText() : JSON.writeValueAsString(args);
        return new ToolCall(name.asText(), arguments);
    }
}
