package ai.sluice.server.tools;

/** One call the model made: the function's name and its arguments as JSON text. */
public record ToolCall(String name, String arguments) {
}
