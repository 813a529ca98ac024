package ai.sluice.server.generate;

import ai.sluice.server.serving.TextCodec;
import ai.sluice.server.tools.ToolCallReader;

/** The two response shapes, for the HTTP layer. */
public final class ResponseFormats {
    private ResponseFormats() {
    }

    public static ResponseFormat completion(String id, long created, String model, TextCodec codec) {
        return new CompletionFormat(id, created, model, codec);
    }

    public static ResponseFormat chat(String id, long created, String model, TextCodec codec) {
        return new ChatFormat(id, created, model, codec, null);
    }

    /** Chat whose answers may hold tool calls, read back by {@code tools}. */
    public static ResponseFormat chat(String id, long created, String model, TextCodec codec, ToolCallReader tools) {
        return new ChatFormat(id, created, model, codec, tools);
    }
}
