package ai.sluice.server.generate;

import ai.sluice.server.serving.TextCodec;
import ai.sluice.server.tools.ToolCallReader;

/** The two response shapes, for the HTTP layer. */
public final class ResponseFormats {
    private ResponseFormats() {
    }

    /** @param tokenIds the client asked for token ids ({@code return_token_ids}) */
    public static ResponseFormat completion(String id, long created, String model, TextCodec codec, boolean tokenIds) {
        return new CompletionFormat(id, created, model, codec, tokenIds);
    }

    /**
     * @param tokenIds the client asked for token ids ({@code return_token_ids})
     * @param tools    reads tool calls back from the answers, or null when the model may not call tools
     */
    public static ResponseFormat chat(String id, long created, String model, TextCodec codec, boolean tokenIds,
                                      ToolCallReader tools) {
        return new ChatFormat(id, created, model, codec, tokenIds, tools);
    }
}
