package ai.sluice.server.generate;

import ai.sluice.server.serving.TextCodec;

/** The two response shapes, for the HTTP layer. */
public final class ResponseFormats {
    private ResponseFormats() {
    }

    public static ResponseFormat completion(String id, long created, String model, TextCodec codec) {
        return new CompletionFormat(id, created, model, codec);
    }

    public static ResponseFormat chat(String id, long created, String model, TextCodec codec) {
        return new ChatFormat(id, created, model, codec);
    }
}
